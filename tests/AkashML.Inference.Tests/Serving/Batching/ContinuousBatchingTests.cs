using System.Text;
using System.Text.RegularExpressions;
using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Serving;
using AkashML.Inference.Serving.Batching;

namespace AkashML.Inference.Tests.Serving.Batching;

/// <summary>
/// Requests served through the batch scheduler stream exactly what they stream on their own generator: same tokens,
/// text, finish reasons and log-probabilities, whatever else shares their decode steps.
/// </summary>
public sealed class ContinuousBatchingTests(BatchingFixture fixture) : IClassFixture<BatchingFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Concurrent_requests_match_running_each_alone()
    {
        // Long enough (EOS is biased away) that requests started together overlap in the scheduler.
        var requests = new[]
        {
            Request("The quick brown fox", 200, temperature: 0),
            Request("Once upon a time there was a little robot who wanted to learn how to paint.", 165, temperature: 0.9, seed: 7, topP: 0.9),
            Request("Hello", 125, temperature: 1.2, seed: 11, topK: 20) with { TopLogprobs = 3 },
            Request("A list of fruits: apple, banana, cherry,", 185, temperature: 0.7, seed: 3) with { FrequencyPenalty = 0.8, PresencePenalty = 0.4, RepetitionPenalty = 1.3 },
            Request("Numbers 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20", 100, temperature: 0) with { LogitBias = new Dictionary<int, double>(fixture.NoEos) { [300] = 12, [301] = -5 } },
            Request("{", 150, temperature: 0.8, seed: 5) with { JsonObject = true },
            Request("Ends at once", 50, temperature: 0) with { LogitBias = new Dictionary<int, double> { [EndOfMessage] = 100 } },
            Request("Ends some time", 150, temperature: 1.0, seed: 21) with { LogitBias = new Dictionary<int, double> { [EndOfMessage] = 5 } },
        };

        var before = fixture.Batched.Batching!;
        using var timeout = new CancellationTokenSource(Limit);
        var batched = await Task.WhenAll(requests.Select(r => Task.Run(() => GenerationTranscript.CollectAsync(fixture.Batched, r, timeout.Token))));
        var after = fixture.Batched.Batching!;
        for (var i = 0; i < requests.Length; i++)
        {
            var alone = await GenerationTranscript.CollectAsync(fixture.Alone, requests[i], timeout.Token);
            Assert.Equal(alone, batched[i]);
        }

        Assert.Matches(@"^\[\] """" Stop 1 -$", batched[6][0]);
        Assert.Contains(" Stop ", GenerationTranscript.LastLine(batched[7][0]), StringComparison.Ordinal);

        Assert.True(after.SharedSteps > before.SharedSteps, "the requests decoded in shared steps");
        Assert.True(SharedAStep(before, after), $"several sequences shared a step (largest batch {after.MaxBatchObserved})");
        Assert.Equal(requests.Length, after.SequencesAdmitted - before.SequencesAdmitted);
        Assert.Null(fixture.Alone.Batching);
    }

    [Fact]
    public async Task A_request_joins_a_batch_that_is_already_decoding()
    {
        using var timeout = new CancellationTokenSource(Limit);
        // Long enough that it is still decoding when the second request arrives after its first token.
        var longer = Request("Tell me a long story about the sea", 2000, temperature: 0.8, seed: 42);
        var joiner = Request("Short one", 15, temperature: 0);
        var choices = new SortedDictionary<int, StringBuilder>();
        var joinedAt = -1;
        var before = fixture.Batched.Batching!;
        Task<IReadOnlyDictionary<int, string>>? joined = null;
        await foreach (var update in fixture.Batched.GenerateAsync(longer, timeout.Token))
        {
            GenerationTranscript.Append(choices, update);
            if (update.CompletionTokens == 1 && joined is null)
            {
                // The scheduler waits at the gate while the joiner is queued (collecting queues it before its first
                // await), then runs one iteration: the joiner's prefill and a step the two share.
                joinedAt = update.CompletionTokens;
                using (var gate = fixture.Batched.GateBatching())
                {
                    joined = GenerationTranscript.CollectAsync(fixture.Batched, joiner, timeout.Token);
                    gate.Advance();
                }

                Assert.True(SharedAStep(before, fixture.Batched.Batching!), "the joining request shared a step with the running one");
            }
        }

        Assert.Equal(1, joinedAt);
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, longer, timeout.Token), choices.ToDictionary(p => p.Key, p => p.Value.ToString()));
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, joiner, timeout.Token), await joined!);
    }

    [Fact]
    public async Task What_the_iterations_run_so_far_produced_is_readable_while_the_scheduler_is_held()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var request = Request("Streamed while it decodes", 40, temperature: 0);
        var choices = new SortedDictionary<int, StringBuilder>();
        var enumerator = fixture.Batched.GenerateAsync(request, timeout.Token).GetAsyncEnumerator(timeout.Token);
        await using (enumerator)
        {
            using (var gate = fixture.Batched.GateBatching())
            {
                // Reading queues the request; three iterations then give the prefill's token and three steps' tokens,
                // which are grouped for a fast reader but must not wait for iterations the gate holds back.
                var first = enumerator.MoveNextAsync();
                gate.Advance();
                gate.Advance();
                gate.Advance();
                Assert.True(await first);
                GenerationTranscript.Append(choices, enumerator.Current);
                while (enumerator.Current.CompletionTokens < 4)
                {
                    Assert.True(await enumerator.MoveNextAsync());
                    GenerationTranscript.Append(choices, enumerator.Current);
                }
            }

            while (await enumerator.MoveNextAsync())
            {
                GenerationTranscript.Append(choices, enumerator.Current);
            }
        }

        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, request, timeout.Token), choices.ToDictionary(p => p.Key, p => p.Value.ToString()));
    }

    [Fact]
    public async Task Cancelling_one_sequence_leaves_the_others_untouched()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var keep = new[] { Request("First survivor", 300, temperature: 0), Request("Second survivor", 250, temperature: 1.0, seed: 9) };
        var doomed = Request("This one is cancelled", 3000, temperature: 0);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var survivors = keep.Select(r => Task.Run(() => GenerationTranscript.CollectAsync(fixture.Batched, r, timeout.Token))).ToArray();
        var received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in fixture.Batched.GenerateAsync(doomed, cancel.Token))
            {
                if (++received == 5)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal(5, received);
        for (var i = 0; i < keep.Length; i++)
        {
            Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, keep[i], timeout.Token), await survivors[i]);
        }

        // The scheduler keeps serving after a cancellation.
        var again = Request("After the cancel", 8, temperature: 0);
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, again, timeout.Token), await GenerationTranscript.CollectAsync(fixture.Batched, again, timeout.Token));
    }

    [Fact]
    public async Task Stop_sequences_and_max_tokens_end_choices_the_same_way()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var probe = Request("Stop right there", 40, temperature: 0) with { LogitBias = fixture.NoEos };
        var full = new StringBuilder();
        await foreach (var update in fixture.Alone.GenerateAsync(probe, timeout.Token))
        {
            full.Append(update.Text);
        }

        Assert.True(full.Length > 12, $"the probe produced text to cut ('{full}')");
        var stop = full.ToString(full.Length / 2, 3);
        var stopped = probe with { StopSequences = [stop, "never appears \u2603"] };
        var limited = Request("Stop right there", 7, temperature: 0);

        var results = await Task.WhenAll(new[] { stopped, limited, probe }.Select(r => Task.Run(() => GenerationTranscript.CollectAsync(fixture.Batched, r, timeout.Token))));
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, stopped, timeout.Token), results[0]);
        Assert.Matches(" Stop \\d+ " + Regex.Escape(GenerationTranscript.Quote(stop)) + "$", GenerationTranscript.LastLine(results[0][0]));
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, limited, timeout.Token), results[1]);
        Assert.Contains(" Length 7 ", GenerationTranscript.LastLine(results[1][0]), StringComparison.Ordinal);
        Assert.Contains("[] ", GenerationTranscript.LastLine(results[1][0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_choices_decode_side_by_side_each_with_its_own_random_stream()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var sampled = Request("Pick a colour", 24, temperature: 1.0, seed: 1234) with { N = 3, TopLogprobs = 1 };
        var before = fixture.Batched.Batching!;
        var batched = await GenerationTranscript.CollectAsync(fixture.Batched, sampled, timeout.Token);
        var after = fixture.Batched.Batching!;
        Assert.Equal(3, after.SequencesAdmitted - before.SequencesAdmitted);
        Assert.Equal(2, after.SharedPrefills - before.SharedPrefills);
        var alone = await GenerationTranscript.CollectAsync(fixture.Alone, sampled, timeout.Token);
        Assert.Equal(3, batched.Count);
        Assert.Equal(alone, batched);
        Assert.NotEqual(batched[0], batched[1]);

        // best_of ranks finished candidates, so it keeps the per-request path; the result is unchanged.
        var best = Request("Pick a colour", 6, temperature: 1.0, seed: 5) with { N = 1, BestOf = 2 };
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, best, timeout.Token), await GenerationTranscript.CollectAsync(fixture.Batched, best, timeout.Token));
    }

    [Fact]
    public async Task Prompt_plus_max_tokens_exactly_at_the_context_length_is_batched_and_one_more_is_refused_alike()
    {
        const string Overlay = "{\"model\":{\"context_length\":48}}";
        using var batchedModel = fixture.Load(BatchingFixture.MaxBatchSize, Overlay);
        using var aloneModel = fixture.Load(1, Overlay);
        using var timeout = new CancellationTokenSource(Limit);
        var prompt = batchedModel.EncodePrompt("An edge case: the prompt and the reply fill the whole context window.", isRenderedChat: false);
        Assert.InRange(prompt.Count, 5, 40);
        var fits = new GenerationRequest { PromptTokens = prompt, MaxNewTokens = 48 - prompt.Count, Temperature = 0, LogitBias = fixture.NoEos };
        var batched = await GenerationTranscript.CollectAsync(batchedModel, fits, timeout.Token);
        Assert.Equal(await GenerationTranscript.CollectAsync(aloneModel, fits, timeout.Token), batched);
        Assert.Contains($" Length {48 - prompt.Count} ", GenerationTranscript.LastLine(batched[0]), StringComparison.Ordinal);
        Assert.Equal(1, batchedModel.Batching!.SequencesAdmitted);

        var tooLong = fits with { MaxNewTokens = fits.MaxNewTokens + 1 };
        var expected = await Assert.ThrowsAnyAsync<Exception>(() => GenerationTranscript.CollectAsync(aloneModel, tooLong, timeout.Token));
        var actual = await Assert.ThrowsAnyAsync<Exception>(() => GenerationTranscript.CollectAsync(batchedModel, tooLong, timeout.Token));
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(1, batchedModel.Batching!.SequencesAdmitted);
    }

    [Fact]
    public async Task More_sequences_than_slots_wait_for_a_free_slot()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var requests = Enumerable.Range(0, BatchingFixture.MaxBatchSize + 3)
            .Select(i => Request("Queue number " + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 6 + (i % 4), temperature: 0.5, seed: i))
            .ToArray();
        var batched = await Task.WhenAll(requests.Select(r => Task.Run(() => GenerationTranscript.CollectAsync(fixture.Batched, r, timeout.Token))));
        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, requests[i], timeout.Token), batched[i]);
        }

        Assert.InRange(fixture.Batched.Batching!.MaxBatchObserved, 2, BatchingFixture.MaxBatchSize);
    }

    [Fact]
    public async Task Bad_requests_fail_the_same_way_on_both_paths()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var good = Request("Bad input", 5, temperature: 0);
        foreach (var bad in new[]
        {
            good with { TopP = 2 },
            good with { PromptTokens = [1, 2, 999_999] },
            good with { PromptTokens = [] },
        })
        {
            var expected = await Assert.ThrowsAnyAsync<Exception>(() => GenerationTranscript.CollectAsync(fixture.Alone, bad, timeout.Token));
            var actual = await Assert.ThrowsAnyAsync<Exception>(() => GenerationTranscript.CollectAsync(fixture.Batched, bad, timeout.Token));
            Assert.Equal(expected.GetType(), actual.GetType());
            Assert.Equal(expected.Message, actual.Message);
        }

        // Degenerate but valid: no new tokens allowed, or no choices asked (nothing may wait for them).
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, good with { MaxNewTokens = 0 }, timeout.Token), await GenerationTranscript.CollectAsync(fixture.Batched, good with { MaxNewTokens = 0 }, timeout.Token));
        Assert.Empty(await GenerationTranscript.CollectAsync(fixture.Batched, good with { N = 0 }, timeout.Token));
        Assert.Empty(await GenerationTranscript.CollectAsync(fixture.Alone, good with { N = 0 }, timeout.Token));

        // The scheduler is unaffected.
        Assert.Equal(await GenerationTranscript.CollectAsync(fixture.Alone, good, timeout.Token), await GenerationTranscript.CollectAsync(fixture.Batched, good, timeout.Token));
    }

    [Fact]
    public async Task Unloading_the_model_mid_stream_ends_the_stream_with_an_error_instead_of_hanging()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var model = fixture.Load(BatchingFixture.MaxBatchSize);
        var received = 0;
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var update in model.GenerateAsync(Request("Unload me", 30_000, temperature: 0), timeout.Token))
            {
                if (++received == 3)
                {
                    model.Dispose();
                }
            }
        });

        Assert.IsType<ObjectDisposedException>(error);
        Assert.False(timeout.IsCancellationRequested);
        Assert.Throws<ObjectDisposedException>(() => model.GenerateAsync(Request("Too late", 3, temperature: 0), timeout.Token).GetAsyncEnumerator().MoveNextAsync().AsTask().GetAwaiter().GetResult());
    }

    private GenerationRequest Request(string prompt, int maxTokens, double temperature, long? seed = null, double topP = 1, int topK = 0) => new()
    {
        LogitBias = fixture.NoEos,
        PromptTokens = fixture.Alone.EncodePrompt(prompt, isRenderedChat: false),
        MaxNewTokens = maxTokens,
        Temperature = temperature,
        Seed = seed,
        TopP = topP,
        TopK = topK,
    };

    private int EndOfMessage => fixture.Alone.Tokenizer.TokenToId(TinyRandomModel.MessageEnd)!.Value;

    /// <summary>True when some step since <paramref name="before"/> decoded more than one sequence.</summary>
    private static bool SharedAStep(BatchingStatistics before, BatchingStatistics after) =>
        after.DecodedRows - before.DecodedRows > after.SharedSteps - before.SharedSteps;
}
