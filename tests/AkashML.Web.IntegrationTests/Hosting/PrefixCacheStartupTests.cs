using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AkashML.Web.IntegrationTests.Hosting;

/// <summary>Out-of-range prefix cache settings stop the host at start, each named.</summary>
public sealed class PrefixCacheStartupTests
{
    [Fact]
    public async Task Invalid_prefix_cache_settings_are_startup_errors_naming_each()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
            {
                ["Inference:PrefixCache:MaxMegabytes"] = "-1",
                ["Inference:PrefixCache:BlockTokens"] = "0",
            });
        });
        var messages = string.Join("\n", error.Failures);
        Assert.Contains("Inference:PrefixCache:MaxMegabytes", messages, StringComparison.Ordinal);
        Assert.Contains("Inference:PrefixCache:BlockTokens", messages, StringComparison.Ordinal);
    }
}
