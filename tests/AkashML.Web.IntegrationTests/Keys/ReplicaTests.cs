using System.Diagnostics;
using System.Net;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>
/// Two host instances on one database, as replicas behind a load balancer: on PostgreSQL they enforce one key's
/// limits together; on either database a revoke or roll on one reaches the other within its key cache duration.
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
            var deadline = Stopwatch.StartNew();
            while (sends.Count(s => s.IsCompleted) < 4 && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }

            await Task.Delay(200);
            var answered = sends.Where(s => s.IsCompleted).ToList();
            Assert.Equal(4, answered.Count);
            foreach (var refused in answered)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, (await refused).StatusCode);
            }

            Assert.Equal(2, await KeyFlows.InFlightAsync(first, key.Id));
            Assert.Equal(2, await KeyFlows.InFlightAsync(second, key.Id));

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
    public async Task A_revoke_or_roll_on_one_replica_reaches_the_other_within_the_cache_duration(DatabaseKind kind)
    {
        var settings = new Dictionary<string, string?> { ["Keys:CacheDuration"] = CacheDuration.ToString() };
        await using var first = await AkashWebHost.StartAsync(kind, settings);
        await using var second = await AkashWebHost.StartReplicaAsync(first, settings);
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
        var changed = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Unauthorized, (await revokedOnFirst.GetAsync("v1/models")).StatusCode);

        var revokedSeen = await FirstUnauthorizedAsync(revokedOnSecond);
        var rolledSeen = await FirstUnauthorizedAsync(rolledOnSecond);
        Assert.True(revokedSeen <= CacheDuration + TimeSpan.FromSeconds(5), $"the other replica accepted a revoked key for {revokedSeen}");
        Assert.True(rolledSeen <= CacheDuration + TimeSpan.FromSeconds(5), $"the other replica accepted a rolled-over secret for {rolledSeen}");
        Assert.True(changed.Elapsed < TimeSpan.FromSeconds(20));
        using var newOnSecond = KeyFlows.Api(second, newSecret);
        Assert.Equal(HttpStatusCode.OK, (await newOnSecond.GetAsync("v1/models")).StatusCode);

        async Task<TimeSpan> FirstUnauthorizedAsync(HttpClient client)
        {
            while (changed.Elapsed < TimeSpan.FromSeconds(15))
            {
                using var response = await client.GetAsync("v1/models");
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    return changed.Elapsed;
                }

                await Task.Delay(100);
            }

            return TimeSpan.MaxValue;
        }
    }
}
