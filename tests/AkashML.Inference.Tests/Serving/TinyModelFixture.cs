using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Catalog;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;

namespace AkashML.Inference.Tests.Serving;

/// <summary>Builds the offline smoke-test model into a temp folder once per test class and loads it.</summary>
public sealed class TinyModelFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "akashml-serving-" + Guid.NewGuid().ToString("N"));

    public TextModel Model { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var folder = Path.Combine(_root, "akashml", "tiny-random");
        await TinyRandomModel.BuildAsync(folder, CancellationToken.None);
        Model = TextModel.Load(new ModelDescriptor
        {
            Id = TinyRandomModel.Id,
            DisplayName = "tiny",
            Path = folder,
            ContextLength = TinyRandomModel.ContextLength,
        }, new ModelOptions { IntraOpThreads = 1 }, maxConcurrency: 4);
    }

    public Task DisposeAsync()
    {
        Model?.Dispose();
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }
}
