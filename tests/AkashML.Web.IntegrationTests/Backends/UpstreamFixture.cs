using AkashML.Web.IntegrationTests.Infrastructure;

namespace AkashML.Web.IntegrationTests.Backends;

/// <summary>A second AkashML host that the gateway host under test uses as its <c>openai</c> upstream, with a key made for it.</summary>
public sealed class UpstreamFixture : IAsyncLifetime
{
    public KeyedHost Upstream { get; private set; } = null!;

    public async Task InitializeAsync() => Upstream = await KeyedHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>());

    public async Task DisposeAsync() => await Upstream.DisposeAsync();
}
