using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Catalog;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;

namespace AkashML.Inference.Tests.Serving.Batching;

/// <summary>
/// Builds <c>akashml/tiny-random</c> once and loads it twice: with continuous batching (up to 8 sequences per step)
/// and without (every request on its own generator), so tests can compare the two paths on the same weights.
/// </summary>
public sealed class BatchingFixture : IAsyncLifetime
{
    public const int MaxBatchSize = 8;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "akashml-batching-" + Guid.NewGuid().ToString("N"));

    public string Folder => Path.Combine(_root, "akashml", "tiny-random");

    public TextModel Batched { get; private set; } = null!;

    public TextModel Alone { get; private set; } = null!;

    /// <summary>Both end-of-sequence ids; a bias of -100 on them keeps a random model from stopping early.</summary>
    public IReadOnlyDictionary<int, double> NoEos { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await TinyRandomModel.BuildAsync(Folder, CancellationToken.None);
        Batched = Load(MaxBatchSize);
        Alone = Load(1);
        NoEos = new Dictionary<int, double>
        {
            [Alone.Tokenizer.TokenToId(TinyRandomModel.MessageEnd)!.Value] = -100,
            [Alone.Tokenizer.TokenToId(TinyRandomModel.EndOfText)!.Value] = -100,
        };
    }

    /// <summary>Loads the built folder again, optionally with a genai_config overlay, another prefill chunk size and a prefix cache.</summary>
    public TextModel Load(int maxBatchSize, string? configOverlay = null, int prefillChunkTokens = InferenceOptions.DefaultPrefillChunkTokens, PrefixCacheOptions? prefixCache = null) =>
        TextModel.Load(new ModelDescriptor
        {
            Id = TinyRandomModel.Id,
            DisplayName = "tiny",
            Path = Folder,
            ContextLength = TinyRandomModel.ContextLength,
        }, new ModelOptions { IntraOpThreads = 1, ConfigOverlay = configOverlay }, maxConcurrency: 4, maxBatchSize, prefillChunkTokens, prefixCache);

    public Task DisposeAsync()
    {
        Batched?.Dispose();
        Alone?.Dispose();
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }
}
