using System.Net;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>
/// Two host instances on one database, as replicas behind a load balancer: on PostgreSQL they enforce one key's
/// limits together; on either database a revoke or roll on one reaches the other when its key cache entry expires.
/// </summary>
public sealed class ReplicaTests
{
    private static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(2);

    [Theory, PostgresData]
    public async Task Two_replicas_on_different_ports_enforce_one_requests_per_minute_limit(DatabaseKind kind)
    {
        // Both replicas read one clock, standing still, so the burst falls in one known window.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        clock.AdvanceToMinuteOffset(TimeSpan.FromSeconds(20));
        await using var first = await ClockedHostPool.StartHostAsync(kind, clock, realHttp: true);
        await using var second = await AkashWebHost.StartReplicaAsync(first, ClockedHostPool.WithLongAnswers(null), realHttp: true, services => services.AddSingleton<TimeProvider>(clock));
        Assert.NotEqual(first.RealAddress!.Port, second.RealAddress!.Port);
        var key = await KeyFlows.NewKeyAsync(first, new ApiKeyLimits(30, null, null, null));
        using var a = KeyFlows.Api(first, key.Secret);
        using var b = KeyFlows.Api(second, key.Secret);

        using var throttle = new SemaphoreSlim(8);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            await throttle.WaitAsync();
            try
            {
                using var response = await (i % 2 == 0 ? a : b).GetAsync("v1/models");
                return (Replica: i % 2, response.StatusCode);
            }
            finally
            {
                throttle.Release();
            }
        }));

        Assert.Equal(30, statuses.Count(s => s.StatusCode == HttpStatusCode.OK));
        Assert.Equal(30, statuses.Count(s => s.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Contains(statuses, s => s is { Replica: 0, StatusCode: HttpStatusCode.OK });
        Assert.Contains(statuses, s => s is { Replica: 1, StatusCode: HttpStatusCode.OK });
    }

    [Theory, PostgresData]
    public async Task Two_replicas_share_one_concurrency_limit(DatabaseKind kind)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var first = await ClockedHostPool.StartHostAsync(kind, clock);
        await using var second = await AkashWebHost.StartReplicaAsync(first, ClockedHostPool.WithLongAnswers(null), services: services => services.AddSingleton<TimeProvider>(clock));
        var key = await KeyFlows.NewKeyAsync(first, new ApiKeyLimits(null, null, 2, null));
        using var a = KeyFlows.Api(first, key.Secret);
        using var b = KeyFlows.Api(second, key.Secret);

        var bodies = Enumerable.Range(0, 6).Select(_ => new GatedContent(KeyFlows.Completion(2, stream: true))).ToList();
        try
        {
            var sends = bodies.Select((body, i) => (i % 2 == 0 ? a : b).SendAsync(
                new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = body }, HttpCompletionOption.ResponseHeadersRead)).ToList();
            // Four are refused at once; the two admitted hold their slots until their bodies arrive, so the slot count
            // (two) and the four refusals account for all six without waiting for a late answer.
            var answered = await KeyFlows.FirstAnswersAsync(sends, 4, TimeSpan.FromSeconds(30));
            foreach (var refused in answered)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, (await refused).StatusCode);
            }

            Assert.Equal(2, await KeyFlows.InFlightAsync(first, key.Id));
            Assert.Equal(2, await KeyFlows.InFlightAsync(second, key.Id));
            Assert.Equal(2, sends.Count(s => !s.IsCompleted));

            bodies.ForEach(body => body.Open());
            foreach (var running in sends.Except(answered))
            {
                using var response = await running;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await response.Content.ReadAsStringAsync();
            }

            Assert.Equal(0, await KeyFlows.WaitForNoneInFlightAsync(first, key.Id, TimeSpan.FromSeconds(30)));
            Assert.Equal(0, await KeyFlows.InFlightAsync(second, key.Id));
        }
        finally
        {
            bodies.ForEach(body => body.Open());
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_revoke_or_roll_on_one_replica_reaches_the_other_when_its_cache_entry_expires(DatabaseKind kind)
    {
        // Both replicas' key caches read one clock that stands still until the test moves it past the cache duration.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = new Dictionary<string, string?> { ["Keys:CacheDuration"] = CacheDuration.ToString() };
        await using var first = await AkashWebHost.StartAsync(kind, settings, services: services => UseCacheClock(services, clock));
        await using var second = await AkashWebHost.StartReplicaAsync(first, settings, services: services => UseCacheClock(services, clock));
        var revoked = await KeyFlows.NewKeyAsync(first, ApiKeyLimits.None);
        var rolled = await KeyFlows.NewKeyAsync(first, ApiKeyLimits.None);
        using var revokedOnFirst = KeyFlows.Api(first, revoked.Secret);
        using var revokedOnSecond = KeyFlows.Api(second, revoked.Secret);
        using var rolledOnSecond = KeyFlows.Api(second, rolled.Secret);
        // The second replica has both keys cached as valid.
        Assert.Equal(HttpStatusCode.OK, (await revokedOnSecond.GetAsync("v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await rolledOnSecond.GetAsync("v1/models")).StatusCode);

        Assert.True(await KeyFlows.KeysAsync(first, k => k.RevokeAsync(revoked.Id, null, CancellationToken.None)));
        var newSecret = (await KeyFlows.KeysAsync(first, k => k.RollAsync(rolled.Id, null, TimeSpan.Zero, CancellationToken.None)))!.Value.Secret;
        Assert.Equal(HttpStatusCode.Unauthorized, (await revokedOnFirst.GetAsync("v1/models")).StatusCode);

        // Within the cache duration the other replica still answers from its cache: the documented staleness.
        clock.Advance(CacheDuration - TimeSpan.FromMilliseconds(1));
        Assert.Equal(HttpStatusCode.OK, (await revokedOnSecond.GetAsync("v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await rolledOnSecond.GetAsync("v1/models")).StatusCode);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await revokedOnSecond.GetAsync("v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await rolledOnSecond.GetAsync("v1/models")).StatusCode);
        using var newOnSecond = KeyFlows.Api(second, newSecret);
        Assert.Equal(HttpStatusCode.OK, (await newOnSecond.GetAsync("v1/models")).StatusCode);
    }

    /// <summary>Makes the host's memory cache (the key cache) expire entries by <paramref name="clock"/>.</summary>
    private static void UseCacheClock(IServiceCollection services, FakeTimeProvider clock) =>
        services.Configure<MemoryCacheOptions>(options => options.Clock = new CacheClock(clock));

    private sealed class CacheClock(TimeProvider clock) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => clock.GetUtcNow();
    }
}
