namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// One parse stack, immutable and shared by structure: the top is a leaf at a position, the frames below are
/// sequences waiting for the part after it. Equal stacks compare equal (cached hash), so states can key mask caches.
/// </summary>
internal sealed class ParseFrame : IEquatable<ParseFrame>
{
    private readonly int _hash;
    private int _minRemaining = -1;

    public ParseFrame(GrammarNode node, int position, ParseFrame? parent)
    {
        Node = node;
        Position = position;
        Parent = parent;
        Depth = (parent?.Depth ?? 0) + 1;
        _hash = HashCode.Combine(node.Id, position, parent?._hash ?? 0);
    }

    /// <summary>A leaf (top) or a <see cref="SequenceNode"/> (below; position = the next part's index).</summary>
    public GrammarNode Node { get; }

    public int Position { get; }

    public ParseFrame? Parent { get; }

    public int Depth { get; }

    /// <summary>Characters still needed to finish the whole document from this stack.</summary>
    public int MinRemaining
    {
        get
        {
            if (_minRemaining < 0)
            {
                var own = Node is LeafNode leaf ? leaf.MinRemaining(Position) : ((SequenceNode)Node).SuffixMin(Position);
                _minRemaining = GrammarNode.SaturatingAdd(own, Parent?.MinRemaining ?? 0);
            }

            return _minRemaining;
        }
    }

    public bool Equals(ParseFrame? other)
    {
        for (var (a, b) = (this, other); ; (a, b) = (a.Parent, b.Parent))
        {
            if (ReferenceEquals(a, b))
            {
                return true;
            }

            if (a is null || b is null || a._hash != b._hash || a.Node != b.Node || a.Position != b.Position)
            {
                return false;
            }
        }
    }

    public override bool Equals(object? obj) => obj is ParseFrame other && Equals(other);

    public override int GetHashCode() => _hash;
}
