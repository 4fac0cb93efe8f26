namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// Any one of its options (<c>anyOf</c>, <c>enum</c>, a list of types). Options can be added after construction:
/// a <c>$ref</c> is a one-option choice filled once its target is compiled, which is how recursion is closed.
/// </summary>
public sealed class ChoiceNode : GrammarNode
{
    private readonly List<GrammarNode> _options;

    public ChoiceNode(IEnumerable<GrammarNode> options) => _options = [.. options];

    public IReadOnlyList<GrammarNode> Options => _options;

    internal void Add(GrammarNode option) => _options.Add(option);

    internal int ComputeMin()
    {
        var min = Unbounded;
        foreach (var option in _options)
        {
            min = Math.Min(min, option.MinLength);
        }

        return min;
    }
}
