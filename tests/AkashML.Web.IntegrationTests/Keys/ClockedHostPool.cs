using System.Collections.Concurrent;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>A host and the hand-moved clock it runs on.</summary>
public sealed record ClockedHost(AkashWebHost Host, FakeTimeProvider Clock);

/// <summary>
/// A class fixture: one host per database kind, each on its own <see cref="FakeTimeProvider"/> (tests in a class run one
/// after another, so moving the clock never surprises a neighbour).
/// </summary>
public class ClockedHostPool : IAsyncLifetime
{
    private readonly ConcurrentDictionary<DatabaseKind, Lazy<Task<ClockedHost>>> _hosts = new();

    public Task<ClockedHost> GetAsync(DatabaseKind kind) =>
        _hosts.GetOrAdd(kind, k => new Lazy<Task<ClockedHost>>(() => StartAsync(k))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts.Values.Where(h => h.IsValueCreated))
        {
            try
            {
                await (await host.Value).Host.DisposeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The host never started; the test that asked for it already failed with the reason.
            }
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Starts a host whose <see cref="TimeProvider"/> is <paramref name="clock"/>.</summary>
    public static Task<AkashWebHost> StartHostAsync(DatabaseKind kind, FakeTimeProvider clock, IReadOnlyDictionary<string, string?>? settings = null, bool realHttp = false) =>
        AkashWebHost.StartAsync(kind, WithLongAnswers(settings), realHttp, services => services.AddSingleton<TimeProvider>(clock));

    /// <summary>Lets the smoke-test model write long answers (token-limit tests ask for hundreds of tokens).</summary>
    public static IReadOnlyDictionary<string, string?> WithLongAnswers(IReadOnlyDictionary<string, string?>? settings)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>(), StringComparer.OrdinalIgnoreCase);
        all.TryAdd("Models:Entries:akashml/tiny-random:MaxOutputTokens", "8192");
        return all;
    }

    /// <summary>A hand-moved clock at the current whole second: PostgreSQL stores microseconds, so instants read back compare equal.</summary>
    public static FakeTimeProvider NewClock()
    {
        var now = DateTimeOffset.UtcNow;
        return new FakeTimeProvider(now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerSecond)));
    }

    /// <summary>Starts the pool's host for <paramref name="kind"/>; derived pools add their own settings.</summary>
    protected virtual async Task<ClockedHost> StartAsync(DatabaseKind kind)
    {
        var clock = NewClock();
        return new ClockedHost(await StartHostAsync(kind, clock), clock);
    }
}
