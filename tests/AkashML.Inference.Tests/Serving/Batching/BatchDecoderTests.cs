using AkashML.Inference.Generation;
using AkashML.Inference.Runtime;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Serving.Batching;

/// <summary>
/// The KV slot decoder against batch-1 generators on the same model: rows of different lengths in one step, a row
/// moved to another slot, and capacity growth must all give bit-identical logits.
/// </summary>
public sealed class BatchDecoderTests(BatchingFixture fixture) : IClassFixture<BatchingFixture>
{
    [Fact]
    public void Rows_of_different_lengths_share_a_step_with_the_logits_each_would_get_alone()
    {
        using var model = Model.Load(fixture.Folder, new ModelOptions { IntraOpThreads = 1 });
        StepsMatchSingleRowGenerators(model);
    }

    /// <summary>A GroupQueryAttention graph from ONNX Runtime GenAI's own builder (phi3 layout), not ours.</summary>
    [NeedsSharedFact("models/tiny-graph-capture-gqa")]
    public void A_third_party_shared_buffer_graph_batches_exactly_too()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-graph-capture-gqa"), new ModelOptions { IntraOpThreads = 1 });
        StepsMatchSingleRowGenerators(model);
    }

    /// <summary>
    /// A MultiHeadAttention graph (no shared buffer: its present is the past with the new token appended) batches as
    /// padded rows; the masked gaps must not change a single logit bit.
    /// </summary>
    [NeedsSharedFact("models/tiny-random-LlamaForCausalLM-fp16")]
    public void A_graph_without_a_shared_buffer_batches_exactly_as_padded_rows()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-LlamaForCausalLM-fp16"), new ModelOptions { IntraOpThreads = 1 });
        Assert.False(model.Config.Search.PastPresentShareBuffer);
        StepsMatchSingleRowGenerators(model);
    }

    /// <summary>
    /// A chunked prompt on a padded slot gives the logits of a generator fed the same chunks (this graph refuses several
    /// new tokens on a non-empty past, so both feed continuations token by token).
    /// </summary>
    [NeedsSharedFact("models/tiny-random-LlamaForCausalLM-fp16")]
    public void A_padded_slot_takes_its_prompt_in_chunks()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-LlamaForCausalLM-fp16"), new ModelOptions { IntraOpThreads = 1 });
        int[] prompt = [3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26, 43];
        using var generator = new Generator(model, new GeneratorParams(model) { MaxLength = 64 });
        generator.AppendTokens(prompt.AsSpan(0, 5));
        generator.AppendTokens(prompt.AsSpan(5, 6));
        generator.AppendTokens(prompt.AsSpan(11));
        using var decoder = new BatchDecoder(model, slots: 2);
        var logits = new float[model.VocabSize];
        decoder.Append(1, prompt.AsSpan(0, 5), [], CancellationToken.None);
        decoder.Append(1, prompt.AsSpan(5, 6), [], CancellationToken.None);
        decoder.Append(1, prompt.AsSpan(11), logits, CancellationToken.None);
        Assert.Equal(prompt.Length, decoder.Length(1));
        Assert.Equal(generator.GetLogits().ToArray(), logits);
    }

    [NeedsSharedFact("models/tiny-random-gpt2-fp32")]
    public void Models_with_a_combined_key_value_cache_keep_the_per_request_path()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-random-gpt2-fp32"));
        Assert.False(BatchDecoder.Supports(model));
        Assert.Throws<InvalidOperationException>(() => new BatchDecoder(model, 2));
    }

    private static void StepsMatchSingleRowGenerators(Model model)
    {
        Assert.True(BatchDecoder.Supports(model));
        int[][] prompts = [[5, 9, 200, 41, 7], [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28], [90, 91, 92, 93, 94, 95, 96, 97, 98]];
        var vocab = model.VocabSize;
        var generators = prompts.Select(_ => new Generator(model, new GeneratorParams(model) { MaxLength = 64 })).ToArray();
        try
        {
            using var decoder = new BatchDecoder(model, slots: 4);
            decoder.EnsureCapacity(40);
            var logits = new float[4 * vocab];
            for (var s = 0; s < prompts.Length; s++)
            {
                generators[s].AppendTokens(prompts[s]);
                decoder.Prefill(s, prompts[s], logits.AsSpan(s * vocab, vocab), CancellationToken.None);
                Assert.Equal(generators[s].GetLogits().ToArray(), logits.AsSpan(s * vocab, vocab).ToArray());
                Assert.Equal(prompts[s].Length, decoder.Length(s));
            }

            // Three shared steps, feeding each row a different token.
            for (var step = 0; step < 3; step++)
            {
                int[] tokens = [100 + step, 200 + step, 30 + step];
                decoder.Step(tokens, logits, CancellationToken.None);
                for (var s = 0; s < prompts.Length; s++)
                {
                    generators[s].AppendTokens([tokens[s]]);
                    Assert.Equal(generators[s].GetLogits().ToArray(), logits.AsSpan(s * vocab, vocab).ToArray());
                }
            }

            // Retire row 0: the last row moves into its slot and keeps decoding from there.
            decoder.Release(0);
            decoder.Move(2, 0);
            Assert.Equal(0, decoder.Length(2));
            Assert.Equal(prompts[2].Length + 3, decoder.Length(0));

            // A copied slot continues exactly like its source.
            decoder.Copy(1, 2);
            Assert.Equal(decoder.Length(1), decoder.Length(2));
            decoder.Step([55, 55, 55], logits, CancellationToken.None);
            Assert.Equal(logits.AsSpan(vocab, vocab).ToArray(), logits.AsSpan(2 * vocab, vocab).ToArray());
            generators[2].AppendTokens([55]);
            generators[1].AppendTokens([55]);
            Assert.Equal(generators[2].GetLogits().ToArray(), logits.AsSpan(0, vocab).ToArray());
            Assert.Equal(generators[1].GetLogits().ToArray(), logits.AsSpan(vocab, vocab).ToArray());
            decoder.Release(2);

            // Growing the slots (as a long sequence would) keeps every occupied row's cache.
            decoder.EnsureCapacity(300);
            Assert.True(decoder.Capacity >= 300);
            int[] next = [77, 78];
            decoder.Step(next, logits, CancellationToken.None);
            generators[2].AppendTokens([77]);
            generators[1].AppendTokens([78]);
            Assert.Equal(generators[2].GetLogits().ToArray(), logits.AsSpan(0, vocab).ToArray());
            Assert.Equal(generators[1].GetLogits().ToArray(), logits.AsSpan(vocab, vocab).ToArray());
        }
        finally
        {
            foreach (var generator in generators)
            {
                generator.Dispose();
            }
        }
    }

    [Fact]
    public void Misuse_is_reported_not_run()
    {
        using var model = Model.Load(fixture.Folder, new ModelOptions { IntraOpThreads = 1 });
        using var decoder = new BatchDecoder(model, slots: 2);
        decoder.EnsureCapacity(8);
        var logits = new float[2 * model.VocabSize];
        Assert.Throws<InvalidOperationException>(() => decoder.Step([1], logits, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Prefill(0, new int[model.ContextLength + 1], logits, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Prefill(0, [], logits, CancellationToken.None));
        decoder.Prefill(0, [1, 2, 3], logits, CancellationToken.None);
        Assert.Throws<InvalidOperationException>(() => decoder.Prefill(0, [4], logits, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.EnsureCapacity(model.ContextLength + 1));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => decoder.Prefill(1, [4, 5], logits, cancelled.Token));
        Assert.Equal(0, decoder.Length(1));

        // An idle decoder frees its cache; a busy one keeps it.
        decoder.Trim();
        Assert.True(decoder.Capacity > 0);
        decoder.Release(0);
        decoder.Trim();
        Assert.Equal(0, decoder.Capacity);
        decoder.Prefill(0, [1, 2, 3], logits, CancellationToken.None);
        Assert.True(decoder.Capacity >= 3);
    }
}
