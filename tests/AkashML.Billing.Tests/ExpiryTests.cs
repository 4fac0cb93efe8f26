using AkashML.Billing.Ledger;
using AkashML.Billing.Reservations;
using AkashML.Billing.Tests.Infrastructure;
using AkashML.Data;
using AkashML.Data.Billing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AkashML.Billing.Tests.ReservationTests;

namespace AkashML.Billing.Tests;

public sealed class ExpiryTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task A_trial_pool_expiring_mid_day_stops_counting_at_that_instant(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        var noon = host.Clock.GetUtcNow().Date.AddHours(12);
        var expiry = new DateTimeOffset(noon, TimeSpan.Zero).AddMinutes(30);
        await Grant(host, userId, 1_000_000, expiry, CreditSource.Trial);
        await Grant(host, userId, 5_000_000, expires: null, CreditSource.Purchase);

        host.Clock.Advance(expiry - host.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.Equal(6_000_000, (await Balance(host, userId)).UsableMicros);

        // Spending takes the trial first (it expires soonest).
        var early = (await Reserve(host, userId, "inf-before-expiry", 200_000)).Reservation!;
        await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().SettleAsync(early, 200_000, CancellationToken.None));
        var pools = (await Balance(host, userId)).Pools;
        Assert.Equal(800_000, pools.Single(p => p.Source == CreditSource.Trial).RemainingMicros);
        Assert.Equal(5_000_000, pools.Single(p => p.Source == CreditSource.Purchase).RemainingMicros);

        host.Clock.Advance(TimeSpan.FromSeconds(1));
        var balance = await Balance(host, userId);
        Assert.Equal(5_000_000, balance.UsableMicros);
        Assert.True(balance.Pools.Single(p => p.Source == CreditSource.Trial).Expired);

        // A request that the purchase alone cannot cover is refused even though trial credits "remain" on the row.
        Assert.False((await Reserve(host, userId, "inf-after-expiry", 5_500_000)).IsReserved);

        // Recording the expiry makes the ledger agree with the balance.
        await host.InScopeAsync(sp => sp.GetRequiredService<CreditLedger>().ExpireDueAsync(CancellationToken.None));
        Assert.Equal(5_000_000, await LedgerSum(host, userId));
        var expiryEntry = await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().LedgerEntries
            .SingleAsync(e => e.UserId == userId && e.Kind == LedgerEntryKind.Expiry));
        Assert.Equal(-800_000, expiryEntry.AmountMicros);
        Assert.Equal(expiry, expiryEntry.CreatedAt);
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task A_request_in_flight_across_the_expiry_settles_from_the_credits_it_held(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        var expiry = host.Clock.GetUtcNow().AddMinutes(10);
        await Grant(host, userId, 1_000_000, expiry, CreditSource.Trial);
        await Grant(host, userId, 2_000_000, expires: null, CreditSource.Purchase);

        // Holds the whole trial and part of the purchase.
        var hold = (await Reserve(host, userId, "inf-across", 1_500_000)).Reservation!;
        Assert.Equal(1_500_000, (await Balance(host, userId)).UsableMicros);

        host.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(1_500_000, (await Balance(host, userId)).UsableMicros);

        // Admitted while the trial was valid: the trial pays first; its unused rest expires instead of coming back.
        var settled = await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().SettleAsync(hold, 1_200_000, CancellationToken.None));
        Assert.Equal(1_200_000, settled.ChargedMicros);
        Assert.Equal(0, settled.UncoveredMicros);
        var balance = await Balance(host, userId);
        Assert.Equal(1_800_000, balance.UsableMicros);
        Assert.Equal(0, balance.Pools.Single(p => p.Source == CreditSource.Trial).RemainingMicros);
        Assert.Equal(1_800_000, balance.Pools.Single(p => p.Source == CreditSource.Purchase).RemainingMicros);
        Assert.Equal(1_800_000, await LedgerSum(host, userId));
        await AssertBooksBalance(host);

        // A hold that was only in the trial and is released after the expiry gives nothing back to spend.
        var expiry2 = host.Clock.GetUtcNow().AddMinutes(10);
        await Grant(host, userId, 300_000, expiry2, CreditSource.Trial);
        var trialOnly = (await Reserve(host, userId, "inf-released-late", 300_000)).Reservation!;
        host.Clock.Advance(TimeSpan.FromMinutes(11));
        await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().ReleaseAsync(trialOnly, CancellationToken.None));
        Assert.Equal(1_800_000, (await Balance(host, userId)).UsableMicros);
        Assert.Equal(1_800_000, await LedgerSum(host, userId));
        await AssertBooksBalance(host);
    }
}
