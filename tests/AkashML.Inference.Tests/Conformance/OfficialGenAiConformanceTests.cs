using AkashML.Inference.Generation;
using AkashML.Inference.Runtime;
using AkashML.Inference.Official;
using AkashML.Tests.SharedFolder;
using Oga = Microsoft.ML.OnnxRuntimeGenAI;

namespace AkashML.Inference.Tests.Conformance;

/// <summary>
/// Our runtime against the official ONNX Runtime GenAI (Microsoft.ML.OnnxRuntimeGenAI, same ORT library in the same
/// process): the same input ids must give the same greedy tokens on every model we build and every shared GenAI folder,
/// for prompts with and without BOS, a one-token prompt, and a prompt that fills the context but the last few positions,
/// each decoded up to the length limit (the context, capped at <see cref="LongestRun"/> positions for the
/// 32k-context tiny-random so the suite stays in seconds).
/// </summary>
public sealed class OfficialGenAiConformanceTests(ConformanceModels models) : IClassFixture<ConformanceModels>
{
    /// <summary>Longest sequence a case decodes to.</summary>
    private const int LongestRun = 2048;

    public static TheoryData<string, string> BuiltCases => Cases([ConformanceModels.TinyRandom]);

    public static TheoryData<string, string> SharedCases => Cases(ConformanceModels.NeedingShared);

    [Theory]
    [MemberData(nameof(BuiltCases))]
    public void The_built_tiny_random_model_gives_the_official_runtimes_greedy_tokens(string model, string fixture) =>
        AssertSameGreedyTokens(model, fixture);

    [NeedsSharedTheory("models")]
    [MemberData(nameof(SharedCases))]
    public void Shared_and_built_models_give_the_official_runtimes_greedy_tokens(string model, string fixture) =>
        AssertSameGreedyTokens(model, fixture);

    private void AssertSameGreedyTokens(string name, string fixture)
    {
        var folder = models.Folder(name);
        using var ours = Model.Load(folder);
        var maxLength = Math.Min(ours.ContextLength, LongestRun);
        var prompt = Prompt(ours, fixture, maxLength);
        var expected = OfficialGreedy(folder, prompt, maxLength);
        var actual = OurGreedy(ours, prompt, maxLength);

        Assert.True(expected.Length > prompt.Length, $"the official runtime generated nothing for {name} / {fixture}");
        var firstDifference = Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.True(
            firstDifference < 0 && expected.Length == actual.Length,
            $"{name} / {fixture}: official {expected.Length} tokens, ours {actual.Length}; first difference at {firstDifference} " +
            $"(prompt {prompt.Length} tokens)");
    }

    private static int[] OurGreedy(Model model, int[] prompt, int maxLength)
    {
        using var generator = new Generator(model, new GeneratorParams(model) { MaxLength = maxLength, DoSample = false });
        generator.AppendTokens(prompt);
        while (!generator.IsDone)
        {
            generator.GenerateNextToken();
        }

        return generator.GetSequence(0).ToArray();
    }

    private static int[] OfficialGreedy(string folder, int[] prompt, int maxLength)
    {
        // CPU only: configs that name cuda or webgpu options (two shared models do) run on CPU here, as ours do.
        using var model = OfficialGenAi.Load(folder);
        using var parameters = OfficialGenAi.GreedyParams(model, batchSize: 1, maxLength: maxLength);
        using var generator = new Oga.Generator(model, parameters);
        generator.AppendTokens(prompt);
        while (!generator.IsDone())
        {
            generator.GenerateNextToken();
        }

        return generator.GetSequence(0).ToArray();
    }

    /// <summary>Deterministic ids that are not BOS, EOS or pad, so the fixture decides where special tokens are.</summary>
    private static int[] Prompt(Model model, string fixture, int maxLength)
    {
        var bos = model.Config.Model!.BosTokenId ?? 1;
        var special = new HashSet<int>(model.EosTokenIds) { model.PadTokenId, bos };
        var random = new Random(fixture.Length * 7919);
        int[] Ids(int count)
        {
            var ids = new int[count];
            for (var i = 0; i < count; i++)
            {
                do
                {
                    ids[i] = random.Next(Math.Min(model.VocabSize, 1000));
                }
                while (special.Contains(ids[i]));
            }

            return ids;
        }

        return fixture switch
        {
            "bos-only" => [bos],
            "with-bos" => [bos, .. Ids(11)],
            "without-bos" => Ids(12),
            "nearly-full-context" => [bos, .. Ids(maxLength - 9)],
            _ => throw new ArgumentOutOfRangeException(nameof(fixture), fixture, "unknown prompt fixture"),
        };
    }

    private static TheoryData<string, string> Cases(IEnumerable<string> names)
    {
        var data = new TheoryData<string, string>();
        foreach (var name in names)
        {
            foreach (var fixture in new[] { "bos-only", "with-bos", "without-bos", "nearly-full-context" })
            {
                data.Add(name, fixture);
            }
        }

        return data;
    }
}
