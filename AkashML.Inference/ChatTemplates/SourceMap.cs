namespace AkashML.Inference.ChatTemplates;

/// <summary>Maps offsets in the template source to 1-based line and column numbers for error messages.</summary>
internal sealed class SourceMap
{
    private readonly int[] _lineStarts;

    public SourceMap(string source)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        _lineStarts = [.. starts];
    }

    public (int Line, int Column) Locate(int offset)
    {
        var index = Array.BinarySearch(_lineStarts, offset);
        if (index < 0)
        {
            index = ~index - 1;
        }

        index = Math.Max(index, 0);
        return (index + 1, offset - _lineStarts[index] + 1);
    }
}
