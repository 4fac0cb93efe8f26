using AkashML.Inference.Runtime.Caching;

namespace AkashML.Inference.Tests.Serving.Caching;

/// <summary>
/// The cache itself under its byte budget: least recently used blocks go first, a prefix outlives the blocks after it,
/// a block a reader still holds keeps its data after eviction, and a block larger than the budget is never cached.
/// </summary>
public sealed class PrefixCacheEvictionTests
{
    // 2 tensors × 1 head × 4 bytes = 8 bytes a token; blocks of 4 tokens are 32 bytes.
    private static readonly KvBlockLayout Layout = new(2, 1, 4);

    [Fact]
    public void Least_recently_used_blocks_go_first_and_prefixes_outlive_their_continuations()
    {
        var cache = new PrefixCache(Layout, 4, maxBytes: 32 * 5);
        int[] a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
        int[] b = [21, 22, 23, 24, 25, 26, 27, 28, 29];
        Insert(cache, a);
        Insert(cache, b);
        Assert.Equal(5, cache.Statistics.Blocks);

        // A reader takes b's blocks; then a is used again, so b is the oldest. A third prompt of two blocks pushes b out.
        var held = cache.Match(b);
        Assert.Equal(2, held.Count);
        Assert.Equal(3, cache.Match(a).Count);
        int[] c = [31, 32, 33, 34, 35, 36, 37, 38, 39];
        Insert(cache, c);
        var statistics = cache.Statistics;
        Assert.Equal(5, statistics.Blocks);
        Assert.Equal(5 * 32, statistics.Bytes);
        Assert.Equal(2, statistics.Evictions);
        Assert.Empty(cache.Match(b));
        Assert.Equal(3, cache.Match(a).Count);

        // Blocks the reader took before eviction still hold what was copied into them.
        Assert.Equal(Fill(b, 4), held[1].Kv);

        // c is now the oldest: one more block evicts its continuation, and its first block (a prefix) stays.
        Insert(cache, [41, 42, 43, 44, 45]);
        Assert.Equal(5, cache.Statistics.Blocks);
        Assert.Single(cache.Match(c));
        Assert.Equal(3, cache.Match(a).Count);
    }

    [Fact]
    public void Blocks_are_matched_after_the_same_whole_prefix_only_and_leave_a_token_to_run()
    {
        var cache = new PrefixCache(Layout, 4, maxBytes: 1024);
        int[] prompt = [1, 2, 3, 4, 5, 6, 7, 8];
        Insert(cache, prompt);
        // The same second block after a different first one is not a match.
        Assert.Empty(cache.Match([9, 2, 3, 4, 5, 6, 7, 8, 1]));
        // The whole prompt again: its last block is left to run.
        Assert.Single(cache.Match(prompt));
        Assert.Equal(2, cache.Match([.. prompt, 0]).Count);
        Assert.Equal(Fill(prompt, 4), cache.Match([.. prompt, 0])[1].Kv);
    }

    [Fact]
    public void A_budget_smaller_than_a_block_caches_nothing()
    {
        var cache = new PrefixCache(Layout, 4, maxBytes: 31);
        Insert(cache, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        Assert.Equal(0, cache.Statistics.Blocks);
        Assert.Empty(cache.Match([1, 2, 3, 4, 5]));
    }

    private static void Insert(PrefixCache cache, int[] prompt) =>
        cache.Insert(prompt, prompt.Length, (start, block) => Fill(prompt, start).CopyTo(block));

    /// <summary>Stand-in KV for the block at <paramref name="start"/>: its token ids, byte by byte, repeated.</summary>
    private static byte[] Fill(int[] prompt, int start)
    {
        var data = new byte[32];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)prompt[start + (i % 4)];
        }

        return data;
    }
}
