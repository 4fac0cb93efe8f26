using System.Collections.Concurrent;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>
/// A class fixture holding one host per database kind, started on first use and disposed with the fixture. Tests in a
/// class share it (each test uses its own accounts); derive to add settings, e.g. fake OAuth providers.
/// </summary>
public class HostPool : IAsyncLifetime
{
    private readonly ConcurrentDictionary<DatabaseKind, Lazy<Task<AkashWebHost>>> _hosts = new();

    public Task<AkashWebHost> GetAsync(DatabaseKind kind) =>
        _hosts.GetOrAdd(kind, k => new Lazy<Task<AkashWebHost>>(() => StartHostAsync(k))).Value;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts.Values.Where(h => h.IsValueCreated))
        {
            try
            {
                await (await host.Value).DisposeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The host never started (its failure was already reported by the test that asked for it).
            }
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Settings every host of this pool gets on top of its database settings.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    private Task<AkashWebHost> StartHostAsync(DatabaseKind kind) => AkashWebHost.StartAsync(kind, Settings);
}
