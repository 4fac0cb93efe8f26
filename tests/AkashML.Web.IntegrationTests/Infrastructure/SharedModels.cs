using AkashML.Inference.Building.TinyRandom;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>
/// One models directory for every test host of the run, holding the offline smoke-test model built once — the same
/// model a fresh install builds at first start, without building it again for each host.
/// </summary>
public static class SharedModels
{
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    public static Task<string> DirectoryAsync() => Built.Value;

    private static async Task<string> BuildAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "akashml-test-models-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var folder = Path.Combine(root, "akashml", "tiny-random");
        if (!TinyRandomModel.IsBuilt(folder))
        {
            await TinyRandomModel.BuildAsync(folder, CancellationToken.None);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the temp folder is the OS's to clean otherwise.
            }
        };
        return root;
    }
}
