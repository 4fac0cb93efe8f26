using AkashML.Inference.Building.TinyRandom;

namespace AkashML.Web.IntegrationTests.Cli;

/// <summary>A GenAI-format folder built once per test class (the built-in tiny-random model), for import and pull.</summary>
public sealed class TinyModelFixture : IDisposable
{
    public TinyModelFixture()
    {
        Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "akashml-cli-" + Guid.NewGuid().ToString("N")[..10]);
        Folder = System.IO.Path.Combine(Root, "tiny");
        TinyRandomModel.BuildAsync(Folder, CancellationToken.None).GetAwaiter().GetResult();
    }

    public string Root { get; }

    public string Folder { get; }

    /// <summary>A copy of the model folder to break, in a fresh temp folder.</summary>
    public string CopyTo(string parent, string name)
    {
        var copy = System.IO.Path.Combine(parent, name);
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(Folder))
        {
            File.Copy(file, System.IO.Path.Combine(copy, System.IO.Path.GetFileName(file)));
        }

        return copy;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Temp leftovers do not affect other tests.
        }
    }
}
