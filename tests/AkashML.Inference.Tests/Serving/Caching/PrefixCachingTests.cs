using System.Globalization;
using System.Text;
using AkashML.Inference.Serving;
using AkashML.Inference.Tests.Serving.Batching;

namespace AkashML.Inference.Tests.Serving.Caching;

/// <summary>
/// The prefix cache through <see cref="TextModel"/>, on both paths (batch scheduler, and per-request generators): a
/// prompt that shares a long prefix with an earlier one reuses its whole blocks and streams exactly what a model without
/// a cache streams (greedy and seeded sampling, logprobs included); cancelled and concurrent requests leave it sound.
/// </summary>
public sealed class PrefixCachingTests(BatchingFixture fixture) : IClassFixture<BatchingFixture>
{
    private const int Block = 16;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private static readonly PrefixCacheOptions Cache = new() { MaxMegabytes = 64, BlockTokens = Block };

    /// <summary>
    /// Without a shared buffer this GroupQueryAttention model cannot batch (GQA writes each row's new key/value at the
    /// row's own length), and each generator's past tensors are ORT's presents.
    /// </summary>
    private const string NoSharedBuffer = "{\"search\":{\"past_present_share_buffer\":false}}";

    /// <summary>Batched (prompts whole, or in chunks), per-request generators over a shared KV buffer, and over ORT's presents.</summary>
    public static TheoryData<int, int, string?> Paths => new()
    {
        { BatchingFixture.MaxBatchSize, InferenceOptions.DefaultPrefillChunkTokens, null },
        { BatchingFixture.MaxBatchSize, Block, null },
        { 1, InferenceOptions.DefaultPrefillChunkTokens, null },
        { BatchingFixture.MaxBatchSize, InferenceOptions.DefaultPrefillChunkTokens, NoSharedBuffer },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task A_prompt_sharing_a_long_prefix_reuses_its_blocks_and_streams_what_an_uncached_model_streams(int maxBatchSize, int chunk, string? overlay)
    {
        using var model = fixture.Load(maxBatchSize, overlay, chunk, Cache);
        Assert.Equal(maxBatchSize > 1 && overlay is null, model.Batching is not null);
        using var timeout = new CancellationTokenSource(Limit);
        var first = Prompt(120, 1);
        int[] second = [.. first.Take(90), .. Prompt(40, 2)];
        foreach (var temperature in new[] { 0.0, 0.9 })
        {
            var cold = Request(first, temperature);
            var warm = Request(second, temperature);
            var (coldTranscript, coldCached) = await CollectAsync(model, cold, timeout.Token);
            var (warmTranscript, warmCached) = await CollectAsync(model, warm, timeout.Token);

            Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, cold, timeout.Token), coldTranscript);
            Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, warm, timeout.Token), warmTranscript);
            // Greedy goes first: its first prompt finds nothing, the second the five whole blocks of 16 in the 90 shared
            // tokens. The seeded round finds both prompts cached whole, but for the block holding the last token (one
            // token must run for the logits).
            Assert.Equal(temperature == 0 ? 0 : 112, coldCached);
            Assert.Equal(temperature == 0 ? 80 : 128, warmCached);
        }

        var statistics = model.PrefixCaching!;
        Assert.Equal(4, statistics.Lookups);
        Assert.Equal(3, statistics.Hits);
        Assert.Equal(80 + 112 + 128, statistics.ReusedTokens);
        // 120 tokens make 7 blocks, the second prompt's 130 make 8, 5 of them shared.
        Assert.Equal(7 + 3, statistics.Blocks);
        Assert.Equal(0, statistics.Evictions);
    }

    [Theory]
    [InlineData(BatchingFixture.MaxBatchSize)]
    [InlineData(1)]
    public async Task Concurrent_requests_sharing_blocks_each_stream_what_they_stream_uncached(int maxBatchSize)
    {
        using var model = fixture.Load(maxBatchSize, prefixCache: Cache);
        using var timeout = new CancellationTokenSource(Limit);
        var shared = Prompt(64, 3);
        var requests = Enumerable.Range(0, 6)
            .Select(i => Request([.. shared, .. Prompt(10 + i, 10 + i)], i % 2 == 0 ? 0 : 0.8) with { Seed = i, TopLogprobs = i == 1 ? 2 : null, N = i == 3 ? 2 : 1 })
            .ToArray();

        // Warm the shared blocks once, then send every request at once.
        var (_, warmed) = await CollectAsync(model, Request([.. shared, .. Prompt(5, 99)], 0), timeout.Token);
        Assert.Equal(0, warmed);
        var results = await Task.WhenAll(requests.Select(r => Task.Run(() => CollectAsync(model, r, timeout.Token))));
        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, requests[i], timeout.Token), results[i].Transcript);
            Assert.Equal(64, results[i].Cached);
        }
    }

    [Theory]
    [InlineData(BatchingFixture.MaxBatchSize)]
    [InlineData(1)]
    public async Task A_cancelled_request_leaves_the_cache_serving_exact_outputs(int maxBatchSize)
    {
        using var model = fixture.Load(maxBatchSize, prefillChunkTokens: Block, prefixCache: Cache);
        using var timeout = new CancellationTokenSource(Limit);
        var prompt = Prompt(100, 4);

        // Cancelled before anything ran, then cancelled after its first token (its prompt blocks are cached by then).
        using (var cancelled = new CancellationTokenSource())
        {
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CollectAsync(model, Request(prompt, 0), cancelled.Token));
        }

        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var update in model.GenerateAsync(Request(prompt, 0.7) with { MaxNewTokens = 200 }, cancel.Token))
                {
                    await cancel.CancelAsync();
                }
            });
        }

        // The whole prompt but its last block, then the four blocks of the 70 tokens another prompt shares with it.
        int[] next = [.. prompt.Take(70), .. Prompt(20, 5)];
        foreach (var (request, reused) in new[] { (Request(prompt, 0), 96), (Request(next, 0.7), 64) })
        {
            var (transcript, cached) = await CollectAsync(model, request, timeout.Token);
            Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, request, timeout.Token), transcript);
            Assert.Equal(reused, cached);
        }
    }

    [Fact]
    public async Task A_prompt_cancelled_mid_prefill_caches_nothing_of_it()
    {
        using var model = fixture.Load(2, prefillChunkTokens: Block, prefixCache: Cache);
        using var timeout = new CancellationTokenSource(Limit);
        var prompt = Prompt(Block * 8, 7);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        Task<(IReadOnlyDictionary<int, string>, int)> doomed;
        using (var gate = model.GateBatching())
        {
            doomed = CollectAsync(model, Request(prompt, 0), cancel.Token);
            // The first iteration takes the prompt into the chunk slot and reads its first chunk, the second the next one.
            gate.Advance();
            gate.Advance();
            Assert.Equal(2, model.Batching!.PrefillChunks);
            await cancel.CancelAsync();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => doomed);
        var request = Request(prompt, 0);
        var (transcript, cached) = await CollectAsync(model, request, timeout.Token);
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, request, timeout.Token), transcript);
        Assert.Equal(0, cached);
        Assert.Equal(8, model.PrefixCaching!.Blocks);
    }

    [Theory]
    [InlineData(BatchingFixture.MaxBatchSize)]
    [InlineData(1)]
    public async Task Under_its_memory_budget_the_cache_evicts_the_least_recently_used_prompt_and_outputs_stay_exact(int maxBatchSize)
    {
        var budget = new PrefixCacheOptions { MaxMegabytes = 1, BlockTokens = Block };
        using var model = fixture.Load(maxBatchSize, prefixCache: budget);
        using var timeout = new CancellationTokenSource(Limit);

        // Two whole blocks tell a block's size, and so how many blocks a mebibyte holds.
        await CollectAsync(model, Request(Prompt((2 * Block) + 1, 20), 0), timeout.Token);
        var probe = model.PrefixCaching!;
        var capacity = (int)(budget.MaxBytes / (probe.Bytes / probe.Blocks));

        // Two prompts of two thirds of that each do not fit together: the second pushes out the end of the first. At
        // ~1,400 tokens the attention sums of a short chunk after a long cached past and of the whole prompt in one run
        // differ in the last bits of the logprobs, so the transcripts compare tokens and text only.
        var length = (capacity * 2 / 3 * Block) + 1;
        var first = Request(Prompt(length, 21), 0) with { TopLogprobs = null };
        var second = Request(Prompt(length, 22), 0.7) with { TopLogprobs = null };
        var whole = length - 1;
        await CollectAsync(model, first, timeout.Token);
        await CollectAsync(model, second, timeout.Token);
        var statistics = model.PrefixCaching!;
        Assert.True(statistics.Evictions > 0);
        Assert.True(statistics.Bytes <= budget.MaxBytes, $"{statistics.Bytes} bytes cached");

        var (secondAgain, secondCached) = await CollectAsync(model, second, timeout.Token);
        Assert.Equal(whole, secondCached);
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, second, timeout.Token), secondAgain);
        var (firstAgain, firstCached) = await CollectAsync(model, first, timeout.Token);
        Assert.True(firstCached < whole, $"{firstCached} of {whole} tokens still cached");
        Assert.Equal(0, firstCached % Block);
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, first, timeout.Token), firstAgain);
    }

    [Fact]
    public async Task Best_of_counts_the_prompt_once_as_cached_as_it_was_for_its_first_candidate()
    {
        using var model = fixture.Load(BatchingFixture.MaxBatchSize, prefixCache: Cache);
        using var timeout = new CancellationTokenSource(Limit);
        var request = Request(Prompt(70, 8), 0.9) with { BestOf = 3, N = 2 };

        // The later candidates reuse the first one's blocks, but the prompt was new: nothing counts as cached.
        var (cold, coldCached) = await CollectAsync(model, request, timeout.Token);
        Assert.Equal(0, coldCached);
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, request, timeout.Token), cold);
        var (_, warmCached) = await CollectAsync(model, request, timeout.Token);
        Assert.Equal(64, warmCached);
    }

    [Fact]
    public async Task A_model_without_a_cache_reports_no_cached_tokens()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var request = Request(Prompt(60, 6), 0);
        await CollectAsync(fixture.Batched, request, timeout.Token);
        var (_, cached) = await CollectAsync(fixture.Batched, request, timeout.Token);
        Assert.Equal(0, cached);
        Assert.Null(fixture.Batched.PrefixCaching);
    }

    private static async Task<(IReadOnlyDictionary<int, string> Transcript, int Cached)> CollectAsync(TextModel model, GenerationRequest request, CancellationToken cancellationToken)
    {
        var choices = new SortedDictionary<int, StringBuilder>();
        var cached = new HashSet<int>();
        await foreach (var update in model.GenerateAsync(request, cancellationToken))
        {
            GenerationTranscript.Append(choices, update);
            cached.Add(update.CachedPromptTokens);
        }

        // Every update of every choice tells the same count.
        return (choices.ToDictionary(p => p.Key, p => p.Value.ToString()), Assert.Single(cached));
    }

    private GenerationRequest Request(int[] prompt, double temperature) => new()
    {
        LogitBias = fixture.NoEos,
        PromptTokens = prompt,
        MaxNewTokens = 12,
        Temperature = temperature,
        Seed = 42,
        TopLogprobs = 1,
    };

    /// <summary>The first <paramref name="length"/> tokens of a made-up text (numbered words, so seeds differ).</summary>
    private int[] Prompt(int length, int seed)
    {
        var text = new StringBuilder();
        for (var i = 0; text.Length < length * 8; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"word{(seed * 7919) + i} and ");
        }

        var tokens = fixture.Alone.EncodePrompt(text.ToString(), isRenderedChat: false);
        Assert.True(tokens.Count >= length, $"the text encodes to {tokens.Count} tokens, fewer than {length}");
        return [.. tokens.Take(length)];
    }
}
