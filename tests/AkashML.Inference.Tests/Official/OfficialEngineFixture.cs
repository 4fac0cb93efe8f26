using System.Text.Json.Nodes;
using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Catalog;
using AkashML.Inference.Official;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AkashML.Inference.Tests.Official;

/// <summary>
/// A models directory with the built tiny-random model twice: as built (our runtime serves it) and as "test/tiny-phi3",
/// the same weights whose config says phi3 with a 32k context, so it needs phi3's long-rope switch our runtime does not
/// implement and the host must serve it with the official GenAI engine.
/// </summary>
public sealed class OfficialEngineFixture : IAsyncLifetime
{
    public const string Ours = "akashml/tiny-random";
    public const string Phi3 = "test/tiny-phi3";

    public DirectoryInfo Root { get; } = Directory.CreateTempSubdirectory("akashml-official-");

    public string Folder(string id) => Path.Combine(Root.FullName, id);

    public async Task InitializeAsync()
    {
        await TinyRandomModel.BuildAsync(Folder(Ours), CancellationToken.None);
        Directory.CreateDirectory(Folder(Phi3));
        foreach (var file in Directory.EnumerateFiles(Folder(Ours)))
        {
            File.Copy(file, Path.Combine(Folder(Phi3), Path.GetFileName(file)));
        }

        var configPath = Path.Combine(Folder(Phi3), GenAiConfig.FileName);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["model"]!["type"] = "phi3";
        File.WriteAllText(configPath, config.ToJsonString());
    }

    public Task DisposeAsync()
    {
        Root.Delete(recursive: true);
        return Task.CompletedTask;
    }

    public ModelHost Host(InferenceOptions? options = null) => new(
        new ModelCatalog(Options.Create(new ModelCatalogOptions { BuildTinyRandomWhenEmpty = false }), new ModelDirectory(Root.FullName), TimeProvider.System, NullLogger<ModelCatalog>.Instance),
        Options.Create(options ?? new InferenceOptions { IntraOpThreads = 1 }),
        NullLogger<ModelHost>.Instance);

    public OfficialTextModel LoadOfficial(string id) =>
        OfficialTextModel.Load(new ModelDescriptor { Id = id, DisplayName = id, Path = Folder(id), ContextLength = 32768 }, new ModelOptions { IntraOpThreads = 1 }, maxConcurrency: 2);
}
