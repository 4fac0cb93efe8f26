using AkashML.Inference.Catalog;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AkashML.Inference.Tests.Catalog;

public sealed class ModelCatalogTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("akashml-catalog-");

    [Fact]
    public void A_folder_added_while_running_appears_after_the_rescan_interval()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var catalog = Catalog(clock, new ModelCatalogOptions { RescanInterval = TimeSpan.FromSeconds(2) });
        Assert.Empty(catalog.List());

        WriteModel("acme/first", contextLength: 4096);
        Assert.Empty(catalog.List());
        clock.Advance(TimeSpan.FromSeconds(3));
        var model = Assert.Single(catalog.List());
        Assert.Equal("acme/first", model.Id);
        Assert.Equal(4096, model.ContextLength);
        Assert.Same(model, catalog.Find("acme--first"));
    }

    [Fact]
    public void Configured_entries_add_names_prices_and_a_smaller_context()
    {
        WriteModel("acme/priced", contextLength: 8192);
        WriteModel("akashml/tiny-random", contextLength: 32768);
        var options = new ModelCatalogOptions();
        options.Entries["acme/priced"] = new ModelEntryOptions
        {
            DisplayName = "Priced",
            ContextLength = 2048,
            InputPricePerMillion = 1.5m,
            OutputPricePerMillion = 2.5m,
        };
        var catalog = Catalog(new FakeTimeProvider(DateTimeOffset.UtcNow), options);

        var priced = catalog.Find("acme/priced")!;
        Assert.Equal("Priced", priced.DisplayName);
        Assert.Equal(2048, priced.ContextLength);
        Assert.Equal(1.5m, priced.InputPricePerMillion);

        var smoke = catalog.Find("akashml/tiny-random")!;
        Assert.True(smoke.IsSmokeTest);
        Assert.Equal(options.DefaultOutputPricePerMillion, smoke.OutputPricePerMillion);
        Assert.True(smoke.InputPricePerMillion > 0);
        Assert.Equal(ModelCatalog.SmokeTestMaxOutputTokens, smoke.MaxOutputTokens);
    }

    [Fact]
    public void Hidden_folders_and_unreadable_configs_are_skipped()
    {
        WriteModel(".downloads/acme/partial", contextLength: 1024);
        WriteModel("acme/good", contextLength: 1024);
        var broken = Path.Combine(_root.FullName, "acme", "broken");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "genai_config.json"), "{ not json");

        var catalog = Catalog(new FakeTimeProvider(DateTimeOffset.UtcNow), new ModelCatalogOptions());
        Assert.Equal(["acme/good"], catalog.List().Select(m => m.Id));
    }

    public void Dispose() => _root.Delete(recursive: true);

    private ModelCatalog Catalog(TimeProvider clock, ModelCatalogOptions options) =>
        new(Options.Create(options), new ModelDirectory(_root.FullName), clock, NullLogger<ModelCatalog>.Instance);

    private void WriteModel(string id, int contextLength)
    {
        var folder = Path.Combine(_root.FullName, id);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "genai_config.json"),
            $$$"""{"model":{"type":"llama","context_length":{{{contextLength}}},"vocab_size":10,"decoder":{"filename":"model.onnx"}},"search":{}}""");
    }
}
