namespace AkashML.Inference.Runtime.Caching;

/// <summary>
/// The KV blocks of recently seen prompt prefixes of one model, so a prompt that starts like an earlier one (a system
/// prompt, a long conversation sent again with one more turn) runs only the tokens after the shared part. Blocks hold
/// <see cref="BlockTokens"/> positions and are found by the whole prefix before them (token ids only: never outputs,
/// never who asked). Least recently used blocks go first once the cache is over its byte budget.
/// </summary>
/// <remarks>
/// Thread-safe: the batch scheduler and every per-request generator of the model share it. Lookups and links take a
/// lock; copying KV into and out of blocks happens outside it. A block's data never changes once linked, so eviction
/// only unlinks it and a sequence loading it at that moment still copies valid keys and values.
/// </remarks>
internal sealed class PrefixCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<PrefixBlockKey, PrefixBlock> _blocks = [];
    // Most recently used first. A lookup touches a chain deepest-first, so a block is always at least as recent as
    // the blocks after it and eviction takes leaves before the prefixes they hang off.
    private readonly LinkedList<PrefixBlock> _recency = new();
    private long _nextId;
    private long _bytes;
    private long _lookups;
    private long _hits;
    private long _reusedTokens;
    private long _evictions;

    public PrefixCache(KvBlockLayout layout, int blockTokens, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockTokens, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        Layout = layout;
        BlockTokens = blockTokens;
        MaxBytes = maxBytes;
        BlockBytes = layout.BytesPerToken * blockTokens;
    }

    /// <summary>
    /// A cache for <paramref name="model"/>, or null when it is off (<paramref name="maxBytes"/> 0) or the model keeps
    /// keys and values in one tensor per layer (the old gpt2 layout, which no cached path loads).
    /// </summary>
    internal static PrefixCache? For(Model model, int blockTokens, long maxBytes)
    {
        var signature = model.Signature;
        if (maxBytes <= 0 || signature.CombinedKv || signature.PastNames.Length == 0)
        {
            return null;
        }

        var layout = new KvBlockLayout(signature.PastNames.Length, signature.KvHeads, signature.HeadSize * Native.OrtTensor.ElementSize(signature.KvType));
        return new PrefixCache(layout, blockTokens, maxBytes);
    }

    public KvBlockLayout Layout { get; }

    public int BlockTokens { get; }

    public long MaxBytes { get; }

    /// <summary>KV bytes one block holds.</summary>
    public long BlockBytes { get; }

    public PrefixCacheStatistics Statistics
    {
        get
        {
            lock (_lock)
            {
                return new PrefixCacheStatistics(_lookups, _hits, _reusedTokens, _blocks.Count, _bytes, _evictions);
            }
        }
    }

    /// <summary>
    /// The cached blocks that start <paramref name="prompt"/>, longest first-to-last chain of whole blocks, leaving at
    /// least one prompt token to run (its logits choose the first new token). Empty when nothing matches.
    /// </summary>
    public IReadOnlyList<PrefixBlock> Match(int[] prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var most = (prompt.Length - 1) / BlockTokens;
        var found = new List<PrefixBlock>();
        lock (_lock)
        {
            _lookups++;
            long parent = 0;
            for (var b = 0; b < most; b++)
            {
                if (!_blocks.TryGetValue(new PrefixBlockKey(parent, prompt.AsMemory(b * BlockTokens, BlockTokens)), out var block))
                {
                    break;
                }

                found.Add(block);
                parent = block.Id;
            }

            if (found.Count > 0)
            {
                _hits++;
                _reusedTokens += (long)found.Count * BlockTokens;
                Touch(found);
            }
        }

        return found;
    }

    /// <summary>
    /// Caches the whole blocks of the first <paramref name="length"/> tokens of <paramref name="prompt"/> that are not
    /// cached yet; <paramref name="copy"/> fills a new block's data with the sequence's KV for positions from its start.
    /// Call it once those positions hold the prompt's keys and values.
    /// </summary>
    public void Insert(int[] prompt, int length, Action<int, Span<byte>> copy)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(copy);
        var count = Math.Min(length, prompt.Length) / BlockTokens;
        if (count == 0 || BlockBytes > MaxBytes)
        {
            return;
        }

        var chain = new List<PrefixBlock>(count);
        lock (_lock)
        {
            long parent = 0;
            for (var b = 0; b < count; b++)
            {
                if (!_blocks.TryGetValue(new PrefixBlockKey(parent, prompt.AsMemory(b * BlockTokens, BlockTokens)), out var block))
                {
                    break;
                }

                chain.Add(block);
                parent = block.Id;
            }

            if (chain.Count > 0)
            {
                Touch(chain);
            }
        }

        // Copy the missing blocks outside the lock; another sequence may link the same ones meanwhile, and then its
        // blocks are kept and these dropped.
        var fresh = new (int[] Tokens, byte[] Kv)[count - chain.Count];
        for (var i = 0; i < fresh.Length; i++)
        {
            var start = (chain.Count + i) * BlockTokens;
            var kv = new byte[BlockBytes];
            copy(start, kv);
            fresh[i] = (prompt.AsSpan(start, BlockTokens).ToArray(), kv);
        }

        if (fresh.Length == 0)
        {
            return;
        }

        lock (_lock)
        {
            var linked = new List<PrefixBlock>(count);
            PrefixBlock? parent = null;
            for (var b = 0; b < count; b++)
            {
                var key = new PrefixBlockKey(parent?.Id ?? 0, prompt.AsMemory(b * BlockTokens, BlockTokens));
                if (!_blocks.TryGetValue(key, out var block))
                {
                    if (b < chain.Count)
                    {
                        // A block this chain started from was evicted meanwhile: what follows would hang off nothing.
                        break;
                    }

                    var (tokens, kv) = fresh[b - chain.Count];
                    block = new PrefixBlock(++_nextId, parent?.Id ?? 0, tokens, kv);
                    _blocks.Add(new PrefixBlockKey(parent?.Id ?? 0, tokens), block);
                    block.Recency = _recency.AddFirst(block);
                    _bytes += kv.Length;
                }

                linked.Add(block);
                parent = block;
            }

            Touch(linked);
            Evict();
        }
    }

    private void Touch(List<PrefixBlock> chain)
    {
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            var node = chain[i].Recency;
            if (node is null)
            {
                continue;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
        }
    }

    private void Evict()
    {
        while (_bytes > MaxBytes && _recency.Last is { } oldest)
        {
            var block = oldest.Value;
            _recency.RemoveLast();
            block.Recency = null;
            _blocks.Remove(new PrefixBlockKey(block.ParentId, block.Tokens));
            _bytes -= block.Kv.Length;
            _evictions++;
        }
    }
}
