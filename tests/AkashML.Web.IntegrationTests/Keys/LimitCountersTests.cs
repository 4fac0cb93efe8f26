using AkashML.Data.Limits;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>The shared counters under parallel use: no lost update, no slot given twice, windows rolled forward correctly.</summary>
public sealed class LimitCountersTests(ClockedHostPool hosts) : IClassFixture<ClockedHostPool>
{
    [Theory, SqliteData, PostgresData]
    public async Task Parallel_additions_are_never_lost_and_each_sees_its_own_count(DatabaseKind kind)
    {
        var (host, _) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, ApiKeyLimits.None);
        var counters = KeyFlows.Service<ILimitCounters>(host);
        const long Minute = 29_000_000;

        var seen = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
            (await counters.AddAsync(key.Id, RateLimitKind.Requests, Minute, 1, CancellationToken.None)).Count)));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), seen.Order());
        Assert.Equal(new WindowState(Minute, 200, 0), await counters.PeekAsync(key.Id, RateLimitKind.Requests, Minute, CancellationToken.None));
        // The token window is separate.
        Assert.Equal(new WindowState(Minute, 0, 0), await counters.PeekAsync(key.Id, RateLimitKind.Tokens, Minute, CancellationToken.None));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Windows_roll_forward_and_refunds_reach_the_minute_they_were_charged_to(DatabaseKind kind)
    {
        var (host, _) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, ApiKeyLimits.None);
        var counters = KeyFlows.Service<ILimitCounters>(host);
        const long Minute = 29_000_100;
        await counters.AddAsync(key.Id, RateLimitKind.Tokens, Minute, 500, CancellationToken.None);

        // Next minute: this minute's count becomes the previous one.
        Assert.Equal(new WindowState(Minute + 1, 20, 500), await counters.AddAsync(key.Id, RateLimitKind.Tokens, Minute + 1, 20, CancellationToken.None));
        // A refund of a charge made in the earlier minute comes off the previous count.
        await counters.RefundAsync(key.Id, RateLimitKind.Tokens, Minute, 200, CancellationToken.None);
        await counters.RefundAsync(key.Id, RateLimitKind.Tokens, Minute + 1, 50, CancellationToken.None);
        Assert.Equal(new WindowState(Minute + 1, 0, 300), await counters.PeekAsync(key.Id, RateLimitKind.Tokens, Minute + 1, CancellationToken.None));
        // Seen from the minute after, the last minute is the previous one; from further on, nothing is left.
        Assert.Equal(new WindowState(Minute + 2, 0, 0), await counters.PeekAsync(key.Id, RateLimitKind.Tokens, Minute + 2, CancellationToken.None));
        // A replica whose clock is behind joins the stored minute instead of going back.
        Assert.Equal(new WindowState(Minute + 1, 7, 300), await counters.AddAsync(key.Id, RateLimitKind.Tokens, Minute, 7, CancellationToken.None));
        Assert.Equal(new WindowState(Minute + 5, 1, 0), await counters.AddAsync(key.Id, RateLimitKind.Tokens, Minute + 5, 1, CancellationToken.None));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Parallel_claims_get_exactly_the_free_slots_and_released_slots_are_reused(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, ApiKeyLimits.None);
        var counters = KeyFlows.Service<ILimitCounters>(host);
        var now = clock.GetUtcNow();

        var claims = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
            await counters.TryAcquireAsync(key.Id, 3, now, now.AddMinutes(1), CancellationToken.None))));

        var leases = claims.OfType<ConcurrencyLease>().ToList();
        Assert.Equal([0, 1, 2], leases.Select(l => l.Slot).Order());
        Assert.Equal(3, await counters.InFlightAsync(key.Id, now, CancellationToken.None));

        await counters.ReleaseAsync(leases[1], CancellationToken.None);
        // Releasing twice, or a lease that is not the holder's, changes nothing.
        await counters.ReleaseAsync(leases[1], CancellationToken.None);
        await counters.ReleaseAsync(leases[0] with { LeaseId = Guid.NewGuid() }, CancellationToken.None);
        Assert.Equal(2, await counters.InFlightAsync(key.Id, now, CancellationToken.None));
        var again = await counters.TryAcquireAsync(key.Id, 3, now, now.AddMinutes(1), CancellationToken.None);
        Assert.Equal(leases[1].Slot, again!.Slot);
        Assert.Null(await counters.TryAcquireAsync(key.Id, 3, now, now.AddMinutes(1), CancellationToken.None));

        // Raising the limit adds slots; renewed leases outlive their first expiry, unrenewed ones do not.
        var fourth = await counters.TryAcquireAsync(key.Id, 4, now, now.AddMinutes(1), CancellationToken.None);
        Assert.Equal(3, fourth!.Slot);
        await counters.RenewAsync([leases[0], again], now.AddMinutes(5), CancellationToken.None);
        Assert.Equal(2, await counters.InFlightAsync(key.Id, now.AddMinutes(2), CancellationToken.None));
    }
}
