namespace AkashML.Inference.Runtime.Caching;

/// <summary>
/// One cached block of a prompt prefix: its token ids (kept for an exact compare, the hash only finds candidates), the
/// block before it, and the keys and values of every layer at its positions, laid out as [tensor][kv head][position][head
/// size] in the model's KV element type. Immutable once cached, so a reader that still holds it after eviction copies
/// valid data (the garbage collector frees it when the last reader lets go).
/// </summary>
internal sealed class PrefixBlock(long id, long parentId, int[] tokens, byte[] kv)
{
    public long Id => id;

    /// <summary>The id of the block before it, 0 for a prompt's first block (an id, so a child never keeps an evicted parent's data alive).</summary>
    public long ParentId => parentId;

    public int[] Tokens => tokens;

    public byte[] Kv => kv;

    /// <summary>Its node in the cache's recency list; touched under the cache's lock only.</summary>
    internal LinkedListNode<PrefixBlock>? Recency { get; set; }
}
