using System.Globalization;
using System.Text;
using AkashML.Inference.Serving;

namespace AkashML.Inference.Tests.Serving.Batching;

/// <summary>
/// Prompts longer than the prefill chunk, served through the batch scheduler: they stream what they stream on their own
/// generator, running streams keep decoding between their chunks, cancelling one mid-prefill frees its slot, and a prompt
/// whose reply fills the context still works.
/// </summary>
public sealed class ChunkedPrefillTests(BatchingFixture fixture) : IClassFixture<BatchingFixture>
{
    private const int Chunk = 16;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Long_prompts_read_in_chunks_stream_what_they_stream_alone()
    {
        using var model = fixture.Load(BatchingFixture.MaxBatchSize, prefillChunkTokens: Chunk);
        using var timeout = new CancellationTokenSource(Limit);
        var requests = new[]
        {
            Request(Prompt(200, 1), 64),
            Request(Prompt(Chunk * 5, 2), 40),
            Request(Prompt(Chunk + 1, 3), 30),
            Request(Prompt(Chunk, 4), 30),
            Request(Prompt(5, 5), 50),
            Request(Prompt(150, 6), 20),
        };

        var batched = await Task.WhenAll(requests.Select(r => Task.Run(() => GenerationTranscript.CollectAsync(model, r, timeout.Token))));
        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, requests[i], timeout.Token), batched[i]);
        }

        var statistics = model.Batching!;
        Assert.Equal(4, statistics.ChunkedPrompts);
        Assert.Equal(13 + 5 + 2 + 10, statistics.PrefillChunks);
        Assert.Equal(requests.Length, statistics.SequencesAdmitted);

        // Choices of one long prompt: the first is prefilled in chunks, the second copies its cache.
        var choices = Request(Prompt(100, 7), 12) with { N = 2 };
        var before = model.Batching!;
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, choices, timeout.Token), await GenerationTranscript.CollectAsync(model, choices, timeout.Token));
        var after = model.Batching!;
        Assert.Equal(1, after.ChunkedPrompts - before.ChunkedPrompts);
        Assert.Equal(7, after.PrefillChunks - before.PrefillChunks);
        Assert.Equal(1, after.SharedPrefills - before.SharedPrefills);
    }

    [Fact]
    public async Task Running_streams_keep_decoding_while_a_long_prompt_is_prefilled_and_stall_without_chunks()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var longPrompt = Request(Prompt(200, 8), 4);
        var expected = await GenerationTranscript.CollectAsync(fixture.Alone, longPrompt, timeout.Token);
        foreach (var chunk in new[] { Chunk, 0 })
        {
            using var model = fixture.Load(4, prefillChunkTokens: chunk);
            using var stopRunner = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            var runnerStarted = new TaskCompletionSource();
            var runner = Task.Run(async () =>
            {
                try
                {
                    await foreach (var update in model.GenerateAsync(Request(Prompt(6, 9), 30_000), stopRunner.Token))
                    {
                        runnerStarted.TrySetResult();
                    }
                }
                catch (OperationCanceledException) when (stopRunner.IsCancellationRequested)
                {
                }
            });

            await runnerStarted.Task.WaitAsync(timeout.Token);
            var before = model.Batching!;
            var transcript = await GenerationTranscript.CollectAsync(model, longPrompt, timeout.Token);
            var after = model.Batching!;
            await stopRunner.CancelAsync();
            await runner;

            Assert.Equal(expected, transcript);
            if (chunk > 0)
            {
                // 13 chunks; the running stream decoded once after each of the first 12, before the long prompt's first token.
                Assert.Equal(1, after.ChunkedPrompts - before.ChunkedPrompts);
                Assert.Equal(13, after.PrefillChunks - before.PrefillChunks);
                Assert.Equal(12, after.StepsDuringChunkedPrefills - before.StepsDuringChunkedPrefills);
            }
            else
            {
                Assert.Equal(0, after.PrefillChunks);
                Assert.Equal(0, after.StepsDuringChunkedPrefills);
            }
        }
    }

    [Fact]
    public async Task A_short_request_arriving_during_a_long_prefill_is_served_between_its_chunks()
    {
        using var model = fixture.Load(4, prefillChunkTokens: Chunk);
        using var timeout = new CancellationTokenSource(Limit);
        var longPrompt = Request(Prompt(Chunk * 12, 14), 3);
        var shortPrompt = Request(Prompt(8, 15), 5);
        var shortAlone = await GenerationTranscript.CollectAsync(fixture.Alone, shortPrompt, timeout.Token);
        var longAlone = await GenerationTranscript.CollectAsync(fixture.Alone, longPrompt, timeout.Token);

        Task<IReadOnlyDictionary<int, string>> longRunning;
        Task<IReadOnlyDictionary<int, string>> shortRunning;
        using (var gate = model.GateBatching())
        {
            // Collecting starts by queueing the request, so each arrives in the iteration the gate says.
            longRunning = GenerationTranscript.CollectAsync(model, longPrompt, timeout.Token);
            gate.Advance();
            Assert.Equal(1, model.Batching!.PrefillChunks);
            shortRunning = GenerationTranscript.CollectAsync(model, shortPrompt, timeout.Token);
        }

        Assert.Equal(shortAlone, await shortRunning);
        Assert.Equal(longAlone, await longRunning);
        var statistics = model.Batching!;
        Assert.Equal(12, statistics.PrefillChunks);
        // Every decode step of the short request (its tokens after the first) ran between two of the long prompt's chunks.
        Assert.Equal(shortPrompt.MaxNewTokens - 1, statistics.StepsDuringChunkedPrefills);
    }

    [Fact]
    public async Task Cancelling_a_prompt_mid_prefill_frees_its_slot_and_leaves_the_others_untouched()
    {
        using var model = fixture.Load(2, prefillChunkTokens: Chunk);
        using var timeout = new CancellationTokenSource(Limit);
        var survivor = Request(Prompt(8, 10), 60);
        var doomedRequest = Request(Prompt(Chunk * 12, 11), 5);
        var next = Request(Prompt(Chunk * 3, 12), 10);
        var survivorAlone = await GenerationTranscript.CollectAsync(fixture.Alone, survivor, timeout.Token);
        var nextAlone = await GenerationTranscript.CollectAsync(fixture.Alone, next, timeout.Token);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        Task<IReadOnlyDictionary<int, string>> running;
        Task<IReadOnlyDictionary<int, string>> nextRunning;
        Task<IReadOnlyDictionary<int, string>> doomed;
        using (var gate = model.GateBatching())
        {
            running = GenerationTranscript.CollectAsync(model, survivor, timeout.Token);
            doomed = GenerationTranscript.CollectAsync(model, doomedRequest, cancel.Token);
            // The first iteration prefills the survivor and takes the long prompt into the chunk slot; the second reads
            // its first chunk. Then it is cancelled, and the next request is queued for the same iteration that sees it.
            gate.Advance();
            gate.Advance();
            Assert.Equal(1, model.Batching!.PrefillChunks);
            await cancel.CancelAsync();
            nextRunning = GenerationTranscript.CollectAsync(model, next, timeout.Token);
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => doomed);
        // With two slots, the next request (three chunks, then ten tokens) decodes beside the survivor (60 tokens)
        // only if the cancelled prompt's slot was freed; otherwise it would wait for the survivor to finish.
        Assert.Equal(nextAlone, await nextRunning);
        Assert.Equal(survivorAlone, await running);
        var statistics = model.Batching!;
        Assert.Equal(1 + 3, statistics.PrefillChunks);
        Assert.Equal(2, statistics.MaxBatchObserved);
    }

    [Fact]
    public async Task A_chunked_prompt_whose_reply_fills_the_context_is_served_like_alone()
    {
        const string Overlay = "{\"model\":{\"context_length\":48}}";
        using var batchedModel = fixture.Load(BatchingFixture.MaxBatchSize, Overlay, prefillChunkTokens: 8);
        using var aloneModel = fixture.Load(1, Overlay);
        using var timeout = new CancellationTokenSource(Limit);
        foreach (var (promptLength, chunks) in new[] { (40, 5), (47, 6) })
        {
            var request = Request(Prompt(promptLength, 13), 48 - promptLength);
            var before = batchedModel.Batching!;
            var batched = await GenerationTranscript.CollectAsync(batchedModel, request, timeout.Token);
            Assert.Equal(await GenerationTranscript.CollectAsync(aloneModel, request, timeout.Token), batched);
            Assert.Contains($" Length {48 - promptLength} ", GenerationTranscript.LastLine(batched[0]), StringComparison.Ordinal);
            Assert.Equal(chunks, batchedModel.Batching!.PrefillChunks - before.PrefillChunks);
        }

        // One token more than fits is refused as on the per-request path.
        var tooLong = Request(Prompt(47, 13), 2);
        var expected = await Assert.ThrowsAnyAsync<Exception>(() => GenerationTranscript.CollectAsync(aloneModel, tooLong, timeout.Token));
        var actual = await Assert.ThrowsAnyAsync<Exception>(() => GenerationTranscript.CollectAsync(batchedModel, tooLong, timeout.Token));
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(2, batchedModel.Batching!.ChunkedPrompts);
    }

    private GenerationRequest Request(int[] prompt, int maxTokens) => new()
    {
        LogitBias = fixture.NoEos,
        PromptTokens = prompt,
        MaxNewTokens = maxTokens,
        Temperature = 0,
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
