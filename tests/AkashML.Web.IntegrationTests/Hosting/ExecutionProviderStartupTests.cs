using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AkashML.Web.IntegrationTests.Hosting;

/// <summary>A model set to run on CUDA, on a host whose ONNX Runtime cannot run CUDA, stops the host at start.</summary>
public sealed class ExecutionProviderStartupTests
{
    [Theory]
    [InlineData("Inference:ExecutionProvider", "Inference:ExecutionProvider asks for Cuda")]
    [InlineData("Inference:ModelExecutionProviders:akashml/tiny-random", "Inference:ModelExecutionProviders:akashml/tiny-random asks for Cuda")]
    public async Task Asking_for_CUDA_without_it_is_a_startup_error_naming_the_provider(string setting, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { [setting] = "Cuda" });
        });
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("CUDAExecutionProvider", error.Message, StringComparison.Ordinal);
    }
}
