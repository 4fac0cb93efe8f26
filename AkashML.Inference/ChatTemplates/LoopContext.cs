namespace AkashML.Inference.ChatTemplates;

/// <summary>The <c>loop</c> variable inside a for block.</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items, int depth)
{
    public int Index0 { get; set; }

    public object? GetAttribute(string name)
    {
        var length = items.Count;
        return name switch
        {
            "index" => (long)(Index0 + 1),
            "index0" => (long)Index0,
            "revindex" => (long)(length - Index0),
            "revindex0" => (long)(length - Index0 - 1),
            "first" => Index0 == 0,
            "last" => Index0 == length - 1,
            "length" => (long)length,
            "depth" => (long)depth,
            "depth0" => (long)(depth - 1),
            "previtem" => Index0 > 0 ? items[Index0 - 1] : Undefined.Instance,
            "nextitem" => Index0 + 1 < length ? items[Index0 + 1] : Undefined.Instance,
            "cycle" => new BuiltinFunction("cycle", (_, args) => args.Count == 0 ? Undefined.Instance : args.Positional[Index0 % args.Count]),
            _ => Undefined.Instance,
        };
    }
}
