using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Tests.Building;

namespace AkashML.Inference.Tests.Hub;

/// <summary>
/// Repositories for <see cref="FakeHubServer"/>, laid out once per test class in a temp folder around a freshly built
/// <c>tiny-random</c> GenAI folder: <c>acme/tiny</c> (model at the root), <c>acme/multi</c> (two GenAI subfolders),
/// <c>acme/gated</c>, and <c>acme/docs</c> (no genai_config.json).
/// </summary>
public sealed class HubRepositoriesFixture : IDisposable
{
    private readonly TempDirectory _temp = new();

    public HubRepositoriesFixture()
    {
        Payload = _temp.Combine("payload");
        TinyRandomModel.BuildAsync(Payload, CancellationToken.None).GetAwaiter().GetResult();
        Root = _temp.Combine("hub");
        CopyModel(Path.Combine(Root, "acme", "tiny"));
        File.WriteAllText(Path.Combine(Root, "acme", "tiny", "README.md"), "# tiny\nA test model.\n");
        CopyModel(Path.Combine(Root, "acme", "multi", "cpu", "int4"));
        CopyModel(Path.Combine(Root, "acme", "multi", "cpu", "fp32"));
        File.WriteAllText(Path.Combine(Root, "acme", "multi", "README.md"), "# multi\n");
        CopyModel(Path.Combine(Root, "acme", "gated"));
        Directory.CreateDirectory(Path.Combine(Root, "acme", "docs"));
        File.WriteAllText(Path.Combine(Root, "acme", "docs", "README.md"), "# not a GenAI repo\n");
        File.WriteAllText(Path.Combine(Root, "acme", "docs", "config.json"), "{\"model_type\":\"llama\"}");
    }

    /// <summary>The GenAI folder every model repository holds.</summary>
    public string Payload { get; }

    /// <summary>Folder of repositories: <c>&lt;Root&gt;/&lt;owner&gt;/&lt;name&gt;</c>.</summary>
    public string Root { get; }

    public IReadOnlyList<string> PayloadFiles =>
        [.. Directory.GetFiles(Payload).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    public void Dispose() => _temp.Dispose();

    private void CopyModel(string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(Payload))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }
    }
}
