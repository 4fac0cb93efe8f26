using AkashML.Billing.Reservations;
using AkashML.Billing.Tests.Infrastructure;
using AkashML.Data;
using AkashML.Data.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AkashML.Billing.Tests.ReservationTests;

namespace AkashML.Billing.Tests;

/// <summary>A key's spend limit is reserved with the credit hold, in the same transaction, and settled to the charge.</summary>
public sealed class KeyBudgetTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    private const long Cost = 20_000;

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task A_hundred_parallel_reservations_against_a_key_budget_for_forty_admit_exactly_forty(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        await Grant(host, userId, 1_000 * Cost);
        var keyId = await CreateKeyAsync(host, userId, 40 * Cost, ApiKeyBudgetPeriod.Monthly);

        var results = await ReserveInParallelAsync(host, userId, keyId, 100, "a");

        Assert.Equal(40, results.Count(r => r.IsReserved));
        Assert.All(results.Where(r => !r.IsReserved), r =>
        {
            Assert.NotNull(r.Budget);
            Assert.Equal(40 * Cost, r.Budget.BudgetMicros);
            Assert.True(r.Budget.LeftMicros < Cost);
        });
        Assert.Equal(40 * Cost, await SpentAsync(host, keyId));
        Assert.Equal(960 * Cost, (await Balance(host, userId)).UsableMicros);

        // Each admitted request used half its hold: the budget counts the charges, so twenty more fit, and no more.
        await Task.WhenAll(results.Where(r => r.IsReserved).Select(r => Task.Run(() => host.InScopeAsync(sp =>
            sp.GetRequiredService<CreditReservations>().SettleAsync(r.Reservation!, Cost / 2, CancellationToken.None)))));
        Assert.Equal(20 * Cost, await SpentAsync(host, keyId));
        var more = await ReserveInParallelAsync(host, userId, keyId, 100, "b");
        Assert.Equal(20, more.Count(r => r.IsReserved));
        Assert.Equal(40 * Cost, await SpentAsync(host, keyId));

        // Releasing a hold gives its whole amount back to the budget; settling it again changes nothing.
        var first = more.First(r => r.IsReserved).Reservation!;
        await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().ReleaseAsync(first, CancellationToken.None));
        await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().ReleaseAsync(first, CancellationToken.None));
        Assert.Equal(39 * Cost, await SpentAsync(host, keyId));
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task The_general_path_counts_and_settles_the_budget_as_the_direct_one(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();

        // A pool that has expired unswept sends every operation of this user down the general (EF) path.
        await Grant(host, userId, 10 * Cost, expires: host.Clock.GetUtcNow().AddMinutes(1));
        await Grant(host, userId, 100 * Cost);
        var keyId = await CreateKeyAsync(host, userId, 3 * Cost, ApiKeyBudgetPeriod.None);
        host.Clock.Advance(TimeSpan.FromMinutes(2));

        var results = await ReserveInParallelAsync(host, userId, keyId, 10, "g");
        Assert.Equal(3, results.Count(r => r.IsReserved));
        Assert.Equal(3 * Cost, await SpentAsync(host, keyId));
        foreach (var result in results.Where(r => r.IsReserved))
        {
            await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().SettleAsync(result.Reservation!, Cost / 4, CancellationToken.None));
        }

        Assert.Equal(3 * Cost / 4, await SpentAsync(host, keyId));
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task A_daily_budget_starts_again_at_midnight_UTC_and_a_hold_settles_on_the_day_it_was_made(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        await Grant(host, userId, 100 * Cost);
        var keyId = await CreateKeyAsync(host, userId, 2 * Cost, ApiKeyBudgetPeriod.Daily);
        var now = host.Clock.GetUtcNow();
        host.Clock.Advance(new DateTimeOffset(now.Year, now.Month, now.Day, 23, 59, 0, TimeSpan.Zero) - now);

        var late = await ReserveAsync(host, userId, keyId, "late");
        Assert.True((await ReserveAsync(host, userId, keyId, "late-2")).IsReserved);
        var refused = await ReserveAsync(host, userId, keyId, "late-3");
        Assert.False(refused.IsReserved);
        Assert.Equal(ApiKeyBudgetPeriod.Daily, refused.Budget!.Period);

        // A minute later it is a new day: the budget is whole again, and the hold of yesterday settles on yesterday.
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await ReserveAsync(host, userId, keyId, "early")).IsReserved);
        await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().SettleAsync(late.Reservation!, Cost / 2, CancellationToken.None));
        Assert.Equal(Cost / 2 + Cost, await SpentAsync(host, keyId, BudgetCalendar.Day(now)));
        Assert.Equal(Cost, await SpentAsync(host, keyId, BudgetCalendar.Day(now) + 1));
        Assert.True((await ReserveAsync(host, userId, keyId, "early-2")).IsReserved);
        Assert.False((await ReserveAsync(host, userId, keyId, "early-3")).IsReserved);

        // A reservation without a key, or by a key without a budget, is not counted against any budget.
        Assert.True((await Reserve(host, userId, "no-key", Cost)).IsReserved);
        var unlimited = await CreateKeyAsync(host, userId, null, ApiKeyBudgetPeriod.None);
        Assert.True((await ReserveAsync(host, userId, unlimited, "unlimited")).IsReserved);
        Assert.Equal(0, await SpentAsync(host, unlimited));
        await AssertBooksBalance(host);
    }

    [Theory]
    [PostgresData]
    public async Task Holds_that_stand_on_this_process_snapshot_still_see_other_writers_and_a_budget_set_since(string provider)
    {
        // On PostgreSQL a hold may skip its read and draw from what this process last saw of the pools (the fake clock
        // keeps that snapshot fresh here). Change the database behind it, as another gateway would: the holds must
        // still be decided on what is really there.
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        var pool = await Grant(host, userId, 10 * Cost);
        var keyId = await CreateKeyAsync(host, userId, null, ApiKeyBudgetPeriod.None);
        Assert.True((await ReserveAsync(host, userId, keyId, "snapshot-1")).IsReserved);

        // Another process spends 8 of the 9 left: the snapshot still shows 9.
        await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditPools.Where(p => p.Id == pool.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.RemainingMicros, Cost)));
        Assert.True((await ReserveAsync(host, userId, keyId, "snapshot-2")).IsReserved);
        var refused = await ReserveAsync(host, userId, keyId, "snapshot-3");
        Assert.False(refused.IsReserved);
        Assert.Equal(0, refused.AvailableMicros);
        Assert.Equal(0, (await Remaining(host, pool.Id))[0]);

        // The money comes back and a budget of one request's cost is set on the key, both behind the snapshot's back.
        await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditPools.Where(p => p.Id == pool.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.RemainingMicros, 8 * Cost)));
        Assert.True((await ReserveAsync(host, userId, keyId, "snapshot-4")).IsReserved);
        await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().ApiKeys.Where(k => k.Id == keyId)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.BudgetMicros, Cost).SetProperty(k => k.BudgetPeriod, ApiKeyBudgetPeriod.Daily)));
        Assert.True((await ReserveAsync(host, userId, keyId, "snapshot-5")).IsReserved);
        var overBudget = await ReserveAsync(host, userId, keyId, "snapshot-6");
        Assert.False(overBudget.IsReserved);
        Assert.Equal(Cost, overBudget.Budget!.BudgetMicros);
        Assert.Equal(6 * Cost, (await Remaining(host, pool.Id))[0]);

        // Both changes from outside happen to leave the pool where its ledger (a grant of 10, four holds of 1) says it is.
        await AssertBooksBalance(host);
    }

    private static Task<ReservationResult> ReserveAsync(BillingTestHost host, string userId, Guid keyId, string inferenceId) =>
        host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().ReserveAsync(userId, keyId, inferenceId, Cost, CancellationToken.None));

    private static Task<ReservationResult[]> ReserveInParallelAsync(BillingTestHost host, string userId, Guid keyId, int count, string prefix) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => ReserveAsync(host, userId, keyId, $"{prefix}-{i}"))));

    /// <summary>What the key's days hold in total, or on one day.</summary>
    private static Task<long> SpentAsync(BillingTestHost host, Guid keyId, int? day = null) =>
        host.InScopeAsync(async sp => await sp.GetRequiredService<AkashDbContext>().ApiKeySpend
            .Where(s => s.KeyId == keyId && (day == null || s.Day == day)).SumAsync(s => s.SpentMicros));

    private static Task<Guid> CreateKeyAsync(BillingTestHost host, string userId, long? budget, ApiKeyBudgetPeriod period) =>
        host.InScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<AkashDbContext>();
            var key = new ApiKey
            {
                UserId = userId,
                Name = "budgeted",
                SecretHash = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
                Prefix = "akml-",
                LastFour = "abcd",
                BudgetMicros = budget,
                BudgetPeriod = period,
            };
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
            return key.Id;
        });
}
