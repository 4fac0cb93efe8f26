using AkashML.Inference.Building;
using AkashML.Inference.Building.Sources;
using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Generation;
using AkashML.Inference.Runtime;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Building;

/// <summary>Runs built models through our ONNX Runtime GenAI runtime and checks them against the C# reference.</summary>
public sealed class BuiltModelRuntimeTests
{
    [NeedsSharedFact("models/llama2c-stories260K")]
    public async Task Stories260K_greedy_output_matches_the_llama2c_reference_token_for_token()
    {
        using var temp = new TempDirectory();
        var dir = SharedTestData.PathOf("models/llama2c-stories260K");
        await ModelBuilder.BuildFromLlama2CAsync(Path.Combine(dir, "stories260K.bin"), Path.Combine(dir, "tok512.bin"), temp.Combine("fp32"), int4: false);
        var encoder = new Llama2CEncoder(Path.Combine(dir, "tok512.bin"), 512);
        var reference = new ReferenceLlama(Llama2CCheckpoint.Open(Path.Combine(dir, "stories260K.bin")));
        using var model = Model.Load(temp.Combine("fp32"));
        foreach (var prompt in new[] { string.Empty, "Once upon a time", "Tom and his mom went to the" })
        {
            var ids = encoder.Encode(prompt, bos: true);
            var expected = reference.Greedy(ids, 100);
            var actual = Generate(model, ids, ids.Count + 100);
            Assert.Equal(expected, actual);
        }
    }

    [NeedsSharedFact("models/llama2c-stories260K")]
    public async Task Stories260K_int4_mostly_agrees_with_fp32()
    {
        using var temp = new TempDirectory();
        var dir = SharedTestData.PathOf("models/llama2c-stories260K");
        await ModelBuilder.BuildFromLlama2CAsync(Path.Combine(dir, "stories260K.bin"), Path.Combine(dir, "tok512.bin"), temp.Combine("fp32"), int4: false);
        await ModelBuilder.BuildFromLlama2CAsync(Path.Combine(dir, "stories260K.bin"), Path.Combine(dir, "tok512.bin"), temp.Combine("int4"), int4: true);
        using var fp32 = Model.Load(temp.Combine("fp32"));
        using var int4 = Model.Load(temp.Combine("int4"));
        var sequence = Generate(fp32, [1], 200).Prepend(1).ToList();

        // Teacher forcing: feed the fp32 text one token at a time and compare each step's top-1.
        using var generator = new Generator(int4, new GeneratorParams(int4) { MaxLength = sequence.Count + 1 });
        var agree = 0;
        for (var i = 0; i < sequence.Count - 1; i++)
        {
            generator.AppendTokens([sequence[i]]);
            agree += ReferenceLlama.ArgMax(generator.GetLogits()) == sequence[i + 1] ? 1 : 0;
        }

        var rate = agree / (double)(sequence.Count - 1);
        Assert.True(rate >= 0.75, $"int4 top-1 agreement with fp32 is {rate:P1}");
    }

    [Theory]
    [InlineData("llama", false, false)]
    [InlineData("qwen2", true, false)]
    [InlineData("phi3", false, false)]
    [InlineData("llama", false, true)]
    public async Task A_generated_hugging_face_folder_gives_the_reference_logits(string modelType, bool tied, bool smallHeads)
    {
        using var temp = new TempDirectory();
        var options = new HuggingFaceFolderFixture.Options(ModelType: modelType, Tied: tied, Heads: smallHeads ? 8 : 4, KvHeads: smallHeads ? 4 : 2);
        HuggingFaceFolderFixture.Write(temp.Combine("hf"), options);
        await ModelBuilder.BuildFromHuggingFaceAsync(temp.Combine("hf"), temp.Combine("out"), int4: false);
        var reference = new ReferenceLlama(HuggingFaceCheckpoint.Open(temp.Combine("hf")));
        using var model = Model.Load(temp.Combine("out"));
        using var generator = new Generator(model, new GeneratorParams(model) { MaxLength = 64 });

        var random = new Random(11);
        var prompt = Enumerable.Range(0, 12).Select(_ => random.Next(options.Vocab)).ToArray();
        generator.AppendTokens(prompt);
        float[] expected = [];
        foreach (var token in prompt)
        {
            expected = reference.Step(token);
        }

        var eos = model.EosTokenIds;
        AssertClose(MergeEos(expected, eos), generator.GetLogits());
        for (var step = 0; step < 10 && !generator.IsDone; step++)
        {
            var next = ReferenceLlama.ArgMax(MergeEos(expected, eos));
            generator.GenerateNextToken();
            Assert.Equal(next, generator.GetSequence(0)[^1]);
            expected = reference.Step(next);
            AssertClose(MergeEos(expected, eos), generator.GetLogits());
        }
    }

    [Fact]
    public async Task Tiny_random_answers_a_long_prompt()
    {
        using var temp = new TempDirectory();
        await TinyRandomModel.BuildAsync(temp.Path, CancellationToken.None);
        using var model = Model.Load(temp.Path);
        var tokenizer = TinyRandomModel.TrainTokenizer();
        var prompt = tokenizer.Encode(TinyRandomModel.LoadCorpus()[..12_000]);
        Assert.InRange(prompt.Count, 2000, 4000);
        var output = Generate(model, prompt, prompt.Count + 8);
        Assert.Equal(8, output.Count);
        Assert.All(output, id => Assert.InRange(id, 0, model.VocabSize - 1));
    }

    private static List<int> Generate(Model model, IReadOnlyList<int> prompt, int maxLength)
    {
        using var generator = new Generator(model, new GeneratorParams(model) { MaxLength = maxLength });
        generator.AppendTokens(prompt.ToArray());
        while (!generator.IsDone)
        {
            generator.GenerateNextToken();
        }

        return generator.GetSequence(0)[prompt.Count..].ToArray().ToList();
    }

    /// <summary>GenAI's handling of several EOS ids: the first carries their maximum, the others are ruled out.</summary>
    private static float[] MergeEos(float[] logits, IReadOnlyList<int> eos)
    {
        var merged = (float[])logits.Clone();
        if (eos.Count > 1)
        {
            var max = eos.Max(id => logits[id]);
            foreach (var id in eos)
            {
                merged[id] = float.MinValue;
            }

            merged[eos[0]] = max;
        }

        return merged;
    }

    private static void AssertClose(float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-3f, $"logit {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
