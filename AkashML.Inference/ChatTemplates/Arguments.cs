namespace AkashML.Inference.ChatTemplates;

/// <summary>Evaluated call arguments of a filter, test, function or method.</summary>
internal sealed class Arguments
{
    public static readonly Arguments None = new([], [], 0);

    public Arguments(List<object?> positional, List<KeyValuePair<string, object?>> named, int offset)
    {
        Positional = positional;
        Named = named;
        Offset = offset;
    }

    public List<object?> Positional { get; }

    public List<KeyValuePair<string, object?>> Named { get; }

    public int Offset { get; }

    public int Count => Positional.Count;

    /// <summary>The argument at <paramref name="index"/> or named <paramref name="name"/>, else the fallback.</summary>
    public object? Get(int index, string name, object? fallback = null)
    {
        if (index >= 0 && index < Positional.Count)
        {
            return Positional[index];
        }

        foreach (var pair in Named)
        {
            if (pair.Key == name)
            {
                return pair.Value;
            }
        }

        return fallback;
    }

    public bool Has(int index, string name)
    {
        if (index >= 0 && index < Positional.Count)
        {
            return true;
        }

        foreach (var pair in Named)
        {
            if (pair.Key == name)
            {
                return true;
            }
        }

        return false;
    }
}
