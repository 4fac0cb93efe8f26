namespace AkashML.Inference.Runtime.Caching;

/// <summary>
/// What a block is found by: the block before it (0 at the start of a prompt) and its token ids, compared exactly.
/// Chaining on the parent means a block matches only after the same whole prefix, never after a different one.
/// </summary>
internal readonly struct PrefixBlockKey(long parentId, ReadOnlyMemory<int> tokens) : IEquatable<PrefixBlockKey>
{
    public long ParentId => parentId;

    public ReadOnlyMemory<int> Tokens => tokens;

    public bool Equals(PrefixBlockKey other) => ParentId == other.ParentId && Tokens.Span.SequenceEqual(other.Tokens.Span);

    public override bool Equals(object? obj) => obj is PrefixBlockKey other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(ParentId);
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Tokens.Span));
        return hash.ToHashCode();
    }
}
