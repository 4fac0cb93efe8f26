namespace AkashML.Inference.Generation.Structured;

/// <summary>Its parts one after another. Parts may be set after construction, so recursive grammars can be built.</summary>
public sealed class SequenceNode(IReadOnlyList<GrammarNode> parts) : GrammarNode
{
    private int[] _suffixMin = [];

    public IReadOnlyList<GrammarNode> Parts { get; } = parts;

    /// <summary>Shortest text of parts <paramref name="index"/> to the end.</summary>
    internal int SuffixMin(int index) => _suffixMin[index];

    internal int ComputeMin()
    {
        var total = 0;
        foreach (var part in Parts)
        {
            total = SaturatingAdd(total, part.MinLength);
        }

        return total;
    }

    internal void FreezeSuffixes()
    {
        _suffixMin = new int[Parts.Count + 1];
        for (var i = Parts.Count - 1; i >= 0; i--)
        {
            _suffixMin[i] = SaturatingAdd(_suffixMin[i + 1], Parts[i].MinLength);
        }
    }
}
