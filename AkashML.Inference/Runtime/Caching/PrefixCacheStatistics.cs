namespace AkashML.Inference.Runtime.Caching;

/// <summary>
/// A prefix cache's counters: prompts looked up, lookups that reused at least one block, prompt tokens reused in all,
/// blocks and bytes held now, blocks evicted under the byte budget.
/// </summary>
public sealed record PrefixCacheStatistics(long Lookups, long Hits, long ReusedTokens, int Blocks, long Bytes, long Evictions);
