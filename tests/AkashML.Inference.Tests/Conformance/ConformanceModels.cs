using AkashML.Inference.Building;
using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Tests.Building;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Conformance;

/// <summary>
/// Every model the conformance tests run: the ones our builder makes (tiny-random always;
/// stories260K fp32 and int4 from the shared llama2.c files) and every GenAI folder in ../shared/models. Built once
/// per test class into a temp folder.
/// </summary>
public sealed class ConformanceModels : IAsyncLifetime
{
    public const string TinyRandom = "built/tiny-random";
    public const string Stories260KFp32 = "built/stories260K-fp32";
    public const string Stories260KInt4 = "built/stories260K-int4";

    /// <summary>The GenAI folders of ../shared/models (a folder with a genai_config.json).</summary>
    public static IReadOnlyList<string> SharedFolders { get; } =
    [
        "shared/tiny-random-gpt2-fp32",
        "shared/tiny-random-gpt2-fp16-cuda",
        "shared/tiny-random-LlamaForCausalLM-fp16",
        "shared/tiny-graph-capture-gqa",
    ];

    /// <summary>Models that need ../shared: built from its llama2.c files, or its own folders.</summary>
    public static IReadOnlyList<string> NeedingShared { get; } = [Stories260KFp32, Stories260KInt4, .. SharedFolders];

    private readonly TempDirectory _temp = new();

    public async Task InitializeAsync()
    {
        await TinyRandomModel.BuildAsync(_temp.Combine("tiny-random"), CancellationToken.None);
        if (SharedTestData.Find("models/llama2c-stories260K") is { } stories)
        {
            var checkpoint = Path.Combine(stories, "stories260K.bin");
            var tokenizer = Path.Combine(stories, "tok512.bin");
            await ModelBuilder.BuildFromLlama2CAsync(checkpoint, tokenizer, _temp.Combine("stories260K-fp32"), int4: false);
            await ModelBuilder.BuildFromLlama2CAsync(checkpoint, tokenizer, _temp.Combine("stories260K-int4"), int4: true);
        }
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    public string Folder(string name) => name switch
    {
        TinyRandom => _temp.Combine("tiny-random"),
        Stories260KFp32 => _temp.Combine("stories260K-fp32"),
        Stories260KInt4 => _temp.Combine("stories260K-int4"),
        _ when name.StartsWith("shared/", StringComparison.Ordinal) => SharedTestData.PathOf("models/" + name["shared/".Length..]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a conformance model"),
    };
}
