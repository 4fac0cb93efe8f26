using AkashML.Inference.Catalog.Import;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tests.Building;
using AkashML.Inference.Tests.Hub;

namespace AkashML.Inference.Tests.Import;

public sealed class ModelImporterTests(HubRepositoriesFixture fixture) : IClassFixture<HubRepositoriesFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Models => _temp.Combine("models");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Copies_a_valid_folder_under_the_given_id()
    {
        var result = await ModelImporter.ImportAsync(fixture.Payload, Models, "acme/copied");

        Assert.Equal(Path.Combine(Models, "acme", "copied"), result.Path);
        Assert.False(result.Linked);
        Assert.Equal(fixture.PayloadFiles.Count, result.FileCount);
        foreach (var name in fixture.PayloadFiles)
        {
            var copy = Path.Combine(result.Path, name);
            Assert.Null(new FileInfo(copy).LinkTarget);
            Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.Payload, name)), File.ReadAllBytes(copy));
        }

        using var model = Model.Load(result.Path);
        Assert.Equal(["acme"], Directory.GetFileSystemEntries(Models).Select(Path.GetFileName));
        Assert.Equal(["copied"], Directory.GetFileSystemEntries(Path.Combine(Models, "acme")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Links_file_by_file_and_the_linked_model_loads()
    {
        var result = await ModelImporter.ImportAsync(fixture.Payload, Models, "linked", link: true);

        Assert.True(result.Linked);
        Assert.All(Directory.GetFiles(result.Path), f => Assert.Equal(Path.Combine(fixture.Payload, Path.GetFileName(f)), new FileInfo(f).LinkTarget));
        using var model = Model.Load(result.Path); // external data resolves beside the link
    }

    [Fact]
    public async Task Uses_the_folder_name_as_id_by_default_and_refuses_to_replace_without_overwrite()
    {
        var first = await ModelImporter.ImportAsync(fixture.Payload, Models);
        Assert.Equal("payload", first.Id);

        var error = await Assert.ThrowsAsync<ModelImportException>(() => ModelImporter.ImportAsync(fixture.Payload, Models));
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);

        var replaced = await ModelImporter.ImportAsync(fixture.Payload, Models, overwrite: true);
        Assert.Equal(first.Path, replaced.Path);
        Assert.Equal(["payload"], Directory.GetFileSystemEntries(Models).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("no-tokenizer", "has no tokenizer.json")]
    [InlineData("corrupt-config", "genai_config.json")]
    [InlineData("config-without-decoder", "model.decoder")]
    [InlineData("missing-decoder-file", "lacks the decoder file")]
    [InlineData("corrupt-graph", "cannot be loaded")]
    [InlineData("corrupt-tokenizer", "tokenizer.json")]
    [InlineData("not-a-folder", "does not exist")]
    public async Task Refuses_a_broken_folder_with_one_line_and_writes_nothing(string breakage, string expected)
    {
        var source = _temp.Combine("broken", breakage);
        if (breakage != "not-a-folder")
        {
            Directory.CreateDirectory(source);
            foreach (var file in Directory.GetFiles(fixture.Payload))
            {
                File.Copy(file, Path.Combine(source, Path.GetFileName(file)));
            }
        }

        switch (breakage)
        {
            case "no-tokenizer":
                File.Delete(Path.Combine(source, "tokenizer.json"));
                break;
            case "corrupt-config":
                File.WriteAllText(Path.Combine(source, "genai_config.json"), "{\"model\": {\"type\": \"llama\",");
                break;
            case "config-without-decoder":
                File.WriteAllText(Path.Combine(source, "genai_config.json"), "{\"model\": {\"type\": \"llama\", \"vocab_size\": 10, \"context_length\": 8, \"eos_token_id\": 1}}");
                break;
            case "missing-decoder-file":
                File.Delete(Path.Combine(source, "model.onnx"));
                break;
            case "corrupt-graph":
                File.WriteAllBytes(Path.Combine(source, "model.onnx"), [1, 2, 3, 4, 5]);
                break;
            case "corrupt-tokenizer":
                File.WriteAllText(Path.Combine(source, "tokenizer.json"), "{\"model\": {\"type\": \"Nonsense\"}}");
                break;
        }

        var error = await Assert.ThrowsAsync<ModelImportException>(() => ModelImporter.ImportAsync(source, Models, "acme/broken"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(Directory.Exists(Models) && Directory.EnumerateFileSystemEntries(Models, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Any());
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/.hidden")]
    [InlineData("a/b/c/d/e")]
    [InlineData("with space")]
    public async Task Refuses_an_invalid_id(string id)
    {
        var error = await Assert.ThrowsAsync<ModelImportException>(() => ModelImporter.ImportAsync(fixture.Payload, Models, id));
        Assert.Contains("model id", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Models));
    }
}
