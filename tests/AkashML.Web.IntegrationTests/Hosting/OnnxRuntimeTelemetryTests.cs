using AkashML.Web.IntegrationTests.Cli;
using AkashML.Web.IntegrationTests.Infrastructure;

namespace AkashML.Web.IntegrationTests.Hosting;

/// <summary>
/// ORT 1.32 and the official GenAI keep a telemetry event store under ~/.cache/Microsoft/DeveloperTools/.onnxruntime
/// unless told not to. With the default settings, a process that loads both (bench engine against the reference) must
/// leave no such store in its home.
/// </summary>
public sealed class OnnxRuntimeTelemetryTests
{
    [Fact]
    public async Task Running_both_runtimes_with_default_settings_writes_no_telemetry_store()
    {
        var home = Directory.CreateTempSubdirectory("akashml-home-");
        var data = Directory.CreateTempSubdirectory("akashml-telemetry-data-");
        try
        {
            var model = Path.Combine(await SharedModels.DirectoryAsync(), "akashml", "tiny-random");
            var result = await HostCli.RunAsync(data.FullName, new Dictionary<string, string?>
            {
                ["HOME"] = home.FullName,
                ["ORT_DISABLE_TELEMETRY"] = null,
            }, "bench", "engine", "--model", model, "--reference", "ortgenai", "--prompt-tokens", "4", "--gen-tokens", "4", "--runs", "1");

            Assert.True(result.ExitCode == 0, result.ToString());
            var store = Path.Combine(home.FullName, ".cache", "Microsoft", "DeveloperTools", ".onnxruntime");
            Assert.False(Directory.Exists(store) && Directory.EnumerateFiles(store).Any(),
                $"ONNX Runtime wrote telemetry files: {string.Join(", ", Directory.Exists(store) ? Directory.EnumerateFiles(store) : [])}");
        }
        finally
        {
            home.Delete(recursive: true);
            data.Delete(recursive: true);
        }
    }
}
