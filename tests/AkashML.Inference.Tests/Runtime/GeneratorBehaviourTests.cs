using AkashML.Inference.Generation;
using AkashML.Inference.Native;
using AkashML.Inference.Runtime;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Runtime;

public sealed class GeneratorBehaviourTests
{
    [NeedsSharedFact("models/tiny-graph-capture-gqa")]
    public void A_shared_past_present_buffer_gives_the_same_tokens_as_handing_presents_over()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-graph-capture-gqa"));
        Assert.True(model.Config.Search.PastPresentShareBuffer);
        int[] Generate(bool share)
        {
            using var generator = new Generator(model, new GeneratorParams(model) { MaxLength = 40, PastPresentShareBuffer = share });
            generator.AppendTokens([10, 20, 30, 40, 50]);
            generator.AppendTokens([60, 70]);
            while (!generator.IsDone)
            {
                generator.GenerateNextToken();
            }

            return generator.GetSequence(0).ToArray();
        }

        var shared = Generate(share: true);
        Assert.True(shared.Length > 7, "at least one token is generated");
        Assert.Equal(shared, Generate(share: false));
    }

    [NeedsSharedTheory("models")]
    [InlineData("models/tiny-random-LlamaForCausalLM-fp16", 2)]
    [InlineData("models/tiny-random-gpt2-fp32", 1)]
    public void Greedy_choice_from_the_models_own_logits_matches_choosing_from_fp32_scores(string folder, int batchSize)
    {
        using var model = Model.Load(SharedTestData.PathOf(folder));
        int[][] Generate(bool throughScores)
        {
            // min_length bans EOS for part of the run, as the bare benchmark's generator does.
            using var generator = new Generator(model, new GeneratorParams(model) { BatchSize = batchSize, MaxLength = 48, MinLength = 30 });
            for (var b = 0; throughScores && b < batchSize; b++)
            {
                // Any selector of its own makes the generator convert the row to fp32 first.
                generator.SetTokenSelector(b, new Fp32Greedy());
            }

            generator.AppendTokens([.. Enumerable.Range(0, batchSize).SelectMany(b => new[] { 5 + b, 195, 731, 29 + b })]);
            while (!generator.IsDone)
            {
                generator.GenerateNextToken();
            }

            return [.. Enumerable.Range(0, batchSize).Select(b => generator.GetSequence(b).ToArray())];
        }

        var fromModelRows = Generate(throughScores: false);
        Assert.True(fromModelRows[0].Length > 30);
        Assert.Equal(Generate(throughScores: true), fromModelRows);
    }

    [NeedsSharedFact("models/tiny-random-LlamaForCausalLM-fp16")]
    public void A_multi_token_chunk_that_the_graph_rejects_is_fed_token_by_token()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-LlamaForCausalLM-fp16"));
        using var generator = new Generator(model, new GeneratorParams(model) { MaxLength = 10 });
        generator.AppendTokens([0, 0, 195]);
        generator.AppendTokens([731, 29592]);
        Assert.True(model.MultiTokenContinuationFails);
        while (!generator.IsDone)
        {
            generator.GenerateNextToken();
        }

        Assert.Equal([0, 0, 195, 731, 29592, 4877, 18112, 22607, 12936, 997], generator.GetSequence(0).ToArray());
    }

    [NeedsSharedFact("models/tiny-random-gpt2-fp32")]
    public void Cancellation_surfaces_as_OperationCanceledException_and_leaves_the_generator_usable()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-gpt2-fp32"));
        using var generator = new Generator(model, new GeneratorParams(model) { MaxLength = 10 });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => generator.AppendTokens([0, 0, 195, 731], cancelled.Token));
        Assert.Equal(0, generator.SequenceLength);

        generator.AppendTokens([0, 0, 195, 731]);
        generator.GenerateNextToken();
        Assert.ThrowsAny<OperationCanceledException>(() => generator.GenerateNextToken(cancelled.Token));
        while (!generator.IsDone)
        {
            generator.GenerateNextToken(CancellationToken.None);
        }

        Assert.Equal([0, 0, 195, 731, 731, 114, 114, 114, 114, 114], generator.GetSequence(0).ToArray());
    }

    [NeedsSharedFact("models/tiny-random-LlamaForCausalLM-fp16")]
    public void Cancelling_while_generating_stops_within_a_step()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-LlamaForCausalLM-fp16"));
        using var generator = new Generator(model, new GeneratorParams(model) { MaxLength = 2048, MinLength = 2048 });
        using var source = new CancellationTokenSource();
        var prompt = Enumerable.Range(3, 1000).ToArray();
        var steps = 0;
        var selector = new CancellingSelector(source, cancelAfter: 5);
        generator.SetTokenSelector(0, selector);
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            generator.AppendTokens(prompt, source.Token);
            while (!generator.IsDone && steps < 2000)
            {
                generator.GenerateNextToken(source.Token);
                steps++;
            }
        });
        Assert.Equal(5, selector.Calls);
        Assert.Equal(5, steps);
    }

    [NeedsSharedFact("models/tiny-random-gpt2-fp32")]
    public void The_terminate_flag_makes_ORT_fail_the_run_and_unset_restores_it()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-gpt2-fp32"));
        using var runOptions = new OrtRunOptions();
        // Inputs with valid shapes (contents do not matter: ORT checks the flag before executing the graph).
        var signature = model.Signature;
        var values = new List<OrtValueHandle>
        {
            OrtTensor.Allocate(signature.InputIdsType, [1, 1]),
            OrtTensor.Allocate(signature.AttentionMaskType, [1, 1]),
            OrtTensor.Allocate(signature.PositionIdsType, [1, 1]),
        };
        values.AddRange(signature.PastNames.Select(_ => OrtTensor.Allocate(signature.KvType, [2, 1, signature.KvHeads, 0, signature.HeadSize])));
        var inputs = values.Select(v => v.DangerousGetHandle()).ToArray();
        runOptions.SetTerminate();
        var terminated = Assert.Throws<OnnxRuntimeException>(() => model.Run(runOptions, inputs, new IntPtr[1]));
        Assert.Contains("terminate", terminated.NativeMessage, StringComparison.OrdinalIgnoreCase);

        runOptions.UnsetTerminate();
        // The ids are uninitialised memory, so the graph may reject them; it must not be the terminate flag again.
        var outputs = new IntPtr[1 + signature.PresentNames.Length];
        try
        {
            model.Run(runOptions, inputs, outputs);
        }
        catch (OnnxRuntimeException ex)
        {
            Assert.DoesNotContain("terminate", ex.NativeMessage, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            foreach (var output in outputs)
            {
                OrtTensor.Release(output);
            }

            values.ForEach(v => v.Dispose());
        }
    }

    [NeedsSharedFact("models/tiny-random-gpt2-fp32")]
    public void A_plugged_token_selector_decides_per_row_and_min_length_bans_eos()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-gpt2-fp32"));
        using var generator = new Generator(model, new GeneratorParams(model) { BatchSize = 2, MaxLength = 8, MinLength = 6 });
        generator.SetTokenSelector(1, new FixedSelector(7));
        generator.AppendTokens([0, 0, 0, 52, 0, 0, 195, 731]);

        // Make EOS (98) the best token of row 0: min_length keeps it from being chosen.
        var logits = generator.GetLogits().ToArray();
        logits[98] = 100;
        generator.SetLogits(logits);
        generator.GenerateNextToken();
        Assert.NotEqual(98, generator.GetSequence(0)[^1]);
        Assert.Equal(7, generator.GetSequence(1)[^1]);
    }

    [NeedsSharedFact("models/tiny-random-gpt2-fp32")]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits_of_seen_tokens()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-gpt2-fp32"));
        var recorder = new RecordingSelector();
        using var generator = new Generator(model, new GeneratorParams(model) { MaxLength = 8, RepetitionPenalty = 2f });
        generator.SetTokenSelector(0, recorder);
        generator.AppendTokens([3, 4]);
        var logits = new float[model.VocabSize];
        logits[3] = 1f;
        logits[4] = -1f;
        logits[5] = 1f;
        generator.SetLogits(logits);
        generator.GenerateNextToken();
        Assert.Equal(0.5f, recorder.Last![3]);
        Assert.Equal(-2f, recorder.Last[4]);
        Assert.Equal(1f, recorder.Last[5]);
    }

    [NeedsSharedFact("models/tiny-random-gpt2-fp32")]
    public void Beam_search_returns_num_return_sequences_hypotheses_best_first()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-gpt2-fp32"));
        using var generator = new Generator(model, new GeneratorParams(model) { MaxLength = 20, NumBeams = 4, NumReturnSequences = 3 });
        generator.AppendTokens([0, 0, 0, 0, 0, 52, 195, 731, 321, 301, 734, 620]);
        while (!generator.IsDone)
        {
            generator.GenerateNextToken();
        }

        Assert.Equal([0, 0, 0, 0, 0, 52, 195, 731, 321, 301, 734, 620, 131, 131, 131, 181, 638, 638, 638, 638], generator.GetSequence(0).ToArray());
        var others = new[] { generator.GetSequence(1).ToArray(), generator.GetSequence(2).ToArray() };
        Assert.All(others, s => Assert.Equal(20, s.Length));
        Assert.NotEqual(others[0], others[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.GetSequence(3));
    }

    private sealed class FixedSelector(int token) : ITokenSelector
    {
        public int SelectToken(ReadOnlySpan<float> logits, ReadOnlySpan<int> sequence) => token;
    }

    private sealed class RecordingSelector : ITokenSelector
    {
        public float[]? Last { get; private set; }

        public int SelectToken(ReadOnlySpan<float> logits, ReadOnlySpan<int> sequence)
        {
            Last = logits.ToArray();
            return GreedyTokenSelector.ArgMax(logits);
        }
    }

    private sealed class CancellingSelector(CancellationTokenSource source, int cancelAfter) : ITokenSelector
    {
        public int Calls { get; private set; }

        public int SelectToken(ReadOnlySpan<float> logits, ReadOnlySpan<int> sequence)
        {
            if (++Calls == cancelAfter)
            {
                source.Cancel();
            }

            return GreedyTokenSelector.ArgMax(logits);
        }
    }

    private sealed class Fp32Greedy : ITokenSelector
    {
        public int SelectToken(ReadOnlySpan<float> logits, ReadOnlySpan<int> sequence) => GreedyTokenSelector.ArgMax(logits);
    }
}
