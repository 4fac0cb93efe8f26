using AkashML.Inference.Building;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tests.Building;
using AkashML.Tests.SharedFolder;
using Xunit.Abstractions;

namespace AkashML.Inference.Tests.Serving.Batching;

/// <summary>
/// A prompt appended to a KV slot in chunks against the same prompt prefilled in one run, on the same decoder: the
/// next-token logits must agree (GroupQueryAttention takes each chunk's past length from the mask, positions go on from
/// it), and so must the greedy continuation decoded from both slots in shared steps.
/// </summary>
public sealed class ChunkedPrefillDecoderTests(BatchingFixture fixture, ITestOutputHelper output) : IClassFixture<BatchingFixture>
{
    /// <summary>fp32 logits may differ in the last bits (other GEMM shapes); this is far below anything greedy notices.</summary>
    private const float Tolerance = 1e-3f;

    [Theory]
    [InlineData(64)]
    [InlineData(37)]
    [InlineData(1)]
    public void Tiny_random_chunked_prefill_matches_one_run(int chunk)
    {
        using var model = Model.Load(fixture.Folder, new ModelOptions { IntraOpThreads = 1 });
        ChunkedMatchesWhole(model, Prompt(model, 300, seed: 1), chunk, generated: 64);
    }

    [NeedsSharedFact("models/llama2c-stories260K")]
    public async Task Stories260K_chunked_prefill_matches_one_run()
    {
        using var temp = new TempDirectory();
        var dir = SharedTestData.PathOf("models/llama2c-stories260K");
        var folder = temp.Combine("fp32");
        await ModelBuilder.BuildFromLlama2CAsync(Path.Combine(dir, "stories260K.bin"), Path.Combine(dir, "tok512.bin"), folder, int4: false, cancellationToken: CancellationToken.None);
        using var model = Model.Load(folder, new ModelOptions { IntraOpThreads = 1 });
        ChunkedMatchesWhole(model, Prompt(model, 200, seed: 2), chunk: 48, generated: 64);
    }

    /// <summary>ONNX Runtime GenAI's own phi3-layout GQA graph (fp16, no position_ids input).</summary>
    [NeedsSharedFact("models/tiny-graph-capture-gqa")]
    public void A_third_party_shared_buffer_graph_takes_chunks_too()
    {
        using var model = Model.Load(SharedTestData.PathOf("models/tiny-graph-capture-gqa"), new ModelOptions { IntraOpThreads = 1 });
        ChunkedMatchesWhole(model, Prompt(model, 90, seed: 3), chunk: 16, generated: 32);
    }

    [Fact]
    public void Chunks_can_fill_the_context_exactly_and_not_one_token_more()
    {
        using var model = Model.Load(fixture.Folder, new ModelOptions { IntraOpThreads = 1, ConfigOverlay = "{\"model\":{\"context_length\":48}}" });
        Assert.Equal(48, model.ContextLength);
        var prompt = Prompt(model, 48, seed: 4);
        var vocab = model.VocabSize;
        using var decoder = new BatchDecoder(model, slots: 2);
        var whole = new float[vocab];
        decoder.Prefill(0, prompt, whole, CancellationToken.None);

        var chunked = new float[vocab];
        for (var done = 0; done < prompt.Length; done += 20)
        {
            var take = Math.Min(20, prompt.Length - done);
            decoder.Append(1, prompt.AsSpan(done, take), done + take == prompt.Length ? chunked : [], CancellationToken.None);
        }

        Assert.Equal(48, decoder.Length(1));
        Assert.InRange(MaxAbsDiff(whole, chunked), 0, Tolerance);
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Append(1, [5], chunked, CancellationToken.None));
        Assert.Equal(48, decoder.Length(1));
    }

    [Fact]
    public void Appending_is_checked_and_a_cancelled_chunk_keeps_the_slot_as_it_was()
    {
        using var model = Model.Load(fixture.Folder, new ModelOptions { IntraOpThreads = 1 });
        using var decoder = new BatchDecoder(model, slots: 2);
        var logits = new float[model.VocabSize];
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Append(2, [1], logits, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Append(-1, [1], logits, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Append(0, [], logits, CancellationToken.None));
        decoder.Append(0, [1, 2, 3], [], CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => decoder.Append(0, [4, 5], [], cancelled.Token));
        Assert.Equal(3, decoder.Length(0));
    }

    private void ChunkedMatchesWhole(Model model, int[] prompt, int chunk, int generated)
    {
        var vocab = model.VocabSize;
        using var decoder = new BatchDecoder(model, slots: 2);
        var logits = new float[2 * vocab];
        decoder.Prefill(0, prompt, logits.AsSpan(0, vocab), CancellationToken.None);
        var runs = 0;
        for (var done = 0; done < prompt.Length; done += chunk)
        {
            var take = Math.Min(chunk, prompt.Length - done);
            var last = done + take == prompt.Length;
            decoder.Append(1, prompt.AsSpan(done, take), last ? logits.AsSpan(vocab, vocab) : [], CancellationToken.None);
            Assert.Equal(done + take, decoder.Length(1));
            runs++;
        }

        Assert.Equal((prompt.Length + chunk - 1) / chunk, runs);
        var worst = MaxAbsDiff(logits.AsSpan(0, vocab), logits.AsSpan(vocab, vocab));
        output.WriteLine($"prompt {prompt.Length}, chunk {chunk}: max |logit difference| after prefill {worst:G3}");
        Assert.InRange(worst, 0, Tolerance);

        // Greedy from both slots in shared steps: same tokens, logits still within the tolerance.
        var whole = new List<int>();
        var chunked = new List<int>();
        for (var step = 0; step < generated; step++)
        {
            var a = ArgMax(logits.AsSpan(0, vocab));
            var b = ArgMax(logits.AsSpan(vocab, vocab));
            whole.Add(a);
            chunked.Add(b);
            Assert.Equal(a, b);
            decoder.Step([a, b], logits, CancellationToken.None);
            worst = Math.Max(worst, MaxAbsDiff(logits.AsSpan(0, vocab), logits.AsSpan(vocab, vocab)));
        }

        output.WriteLine($"after {generated} greedy steps: max |logit difference| {worst:G3}");
        Assert.InRange(worst, 0, Tolerance);
        Assert.Equal(whole, chunked);
    }

    /// <summary>Random ids without the pad id (a prompt ending in pads reads earlier logits, chunked or not).</summary>
    private static int[] Prompt(Model model, int length, int seed)
    {
        var random = new Random(seed);
        var prompt = new int[length];
        for (var i = 0; i < length; i++)
        {
            do
            {
                prompt[i] = random.Next(3, model.VocabSize);
            }
            while (prompt[i] == model.PadTokenId);
        }

        return prompt;
    }

    private static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var worst = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        }

        return worst;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
