using AkashML.Billing.Ledger;
using AkashML.Billing.Prices;
using AkashML.Billing.Reservations;
using AkashML.Billing.Tests.Infrastructure;
using AkashML.Data;
using AkashML.Data.Billing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AkashML.Billing.Tests;

public sealed class ReservationTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Two_hundred_parallel_reservations_against_a_balance_for_fifty_admit_exactly_fifty(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        await AdmitExactlyFiftyOfTwoHundredAsync(host);
    }

    [Theory]
    [PostgresData]
    public async Task Two_hundred_parallel_reservations_through_a_pool_of_four_connections_all_finish_and_admit_exactly_fifty(string provider)
    {
        // A hold reads on a pooled connection and then waits for the group writer, which holds a connection of the same
        // pool: the read's connection must go back first, or 200 waiting holds keep every connection and the writer none.
        var database = await databases.GetAsync(provider);
        var pool = new NpgsqlConnectionStringBuilder(database.PostgresConnectionString) { MaxPoolSize = 4 };
        await using var host = await BillingTestHost.StartAsync(database with { PostgresConnectionString = pool.ConnectionString });
        await AdmitExactlyFiftyOfTwoHundredAsync(host);
    }

    private static async Task AdmitExactlyFiftyOfTwoHundredAsync(BillingTestHost host)
    {
        var userId = await host.CreateUserAsync();
        const long cost = 20_000;
        await Grant(host, userId, 50 * cost);

        var minimumSeen = long.MaxValue;
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => host.InScopeAsync(async sp =>
        {
            var result = await sp.GetRequiredService<CreditReservations>().ReserveAsync(userId, $"inf-{i}", cost, CancellationToken.None);
            var usable = (await sp.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, CancellationToken.None)).UsableMicros;
            InterlockedMin(ref minimumSeen, usable);
            return result;
        }))));

        Assert.Equal(50, results.Count(r => r.IsReserved));
        Assert.All(results.Where(r => !r.IsReserved), r => Assert.True(r.AvailableMicros < cost));
        Assert.True(minimumSeen >= 0, $"the balance went to {minimumSeen}");
        var balance = await Balance(host, userId);
        Assert.Equal(0, balance.UsableMicros);
        Assert.Equal(50 * cost, balance.HeldMicros);
        Assert.Equal(0, await LedgerSum(host, userId));

        // Each admitted request used half its hold.
        await Task.WhenAll(results.Where(r => r.IsReserved).Select(r => Task.Run(() => host.InScopeAsync(sp =>
            sp.GetRequiredService<CreditReservations>().SettleAsync(r.Reservation!, cost / 2, CancellationToken.None)))));
        balance = await Balance(host, userId);
        Assert.Equal(25 * cost, balance.UsableMicros);
        Assert.Equal(0, balance.HeldMicros);
        Assert.Equal(balance.UsableMicros, await LedgerSum(host, userId));
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task An_uncoverable_request_is_refused_and_writes_nothing(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        var refused = await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().ReserveAsync(userId, "inf-new-user", 1, CancellationToken.None));
        Assert.False(refused.IsReserved);
        Assert.Equal(0, refused.AvailableMicros);

        await Grant(host, userId, 1_000);
        refused = await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().ReserveAsync(userId, "inf-big", 1_001, CancellationToken.None));
        Assert.False(refused.IsReserved);
        Assert.Equal(1_000, refused.AvailableMicros);
        Assert.Equal(1_001, refused.RequiredMicros);
        var entries = await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().LedgerEntries.Where(e => e.UserId == userId).ToListAsync());
        Assert.Single(entries);
        Assert.Equal(LedgerEntryKind.Grant, entries[0].Kind);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task The_request_facade_reserves_prompt_plus_max_tokens_and_settles_actual_tokens(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        await Grant(host, userId, 1_000_000);

        var reserved = await host.InScopeAsync(sp => sp.GetRequiredService<RequestBilling>()
            .ReserveAsync(userId, "inf-facade", promptTokens: 1_000, maxNewTokens: 4_000, inputPricePerMillion: 0.5m, outputPricePerMillion: 1.5m, CancellationToken.None));
        Assert.True(reserved.IsReserved);
        Assert.Equal(500 + 6_000, reserved.Reservation.Hold.HeldMicros);
        Assert.Equal(1_000_000 - 6_500, (await Balance(host, userId)).UsableMicros);

        var settled = await host.InScopeAsync(sp => sp.GetRequiredService<RequestBilling>().SettleAsync(reserved.Reservation, 1_000, 333, CancellationToken.None));
        Assert.Equal(500 + 500, settled.ChargedMicros); // 333 × 1.5 = 499.5 → 500
        Assert.Equal(6_500 - 1_000, settled.ReleasedMicros);
        Assert.Equal(1_000_000 - 1_000, (await Balance(host, userId)).UsableMicros);

        var again = await host.InScopeAsync(sp => sp.GetRequiredService<RequestBilling>().SettleAsync(reserved.Reservation, 1_000, 4_000, CancellationToken.None));
        Assert.True(again.AlreadyClosed);
        Assert.Equal(1_000_000 - 1_000, (await Balance(host, userId)).UsableMicros);

        var tooMuch = await host.InScopeAsync(sp => sp.GetRequiredService<RequestBilling>()
            .ReserveAsync(userId, "inf-huge", 1, 1_000_000, 0.5m, 1.5m, CancellationToken.None));
        Assert.False(tooMuch.IsReserved);
        Assert.Contains("Insufficient credits", tooMuch.InsufficientMessage, StringComparison.Ordinal);
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task A_hold_spread_over_pools_is_drawn_and_charged_soonest_expiring_first(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        var now = host.Clock.GetUtcNow();
        var later = await Grant(host, userId, 3_000, now.AddDays(10));
        var sooner = await Grant(host, userId, 5_000, now.AddDays(5));
        var never = await Grant(host, userId, 10_000);

        var hold = (await Reserve(host, userId, "inf-spread", 9_000)).Reservation!;
        Assert.Equal(new long[] { 0, 0, 9_000 }, await Remaining(host, sooner.Id, later.Id, never.Id));

        var settled = await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().SettleAsync(hold, 6_000, CancellationToken.None));
        Assert.Equal(6_000, settled.ChargedMicros);
        Assert.Equal(3_000, settled.ReleasedMicros);
        Assert.Equal(new long[] { 0, 2_000, 10_000 }, await Remaining(host, sooner.Id, later.Id, never.Id));
        Assert.Equal(12_000, (await Balance(host, userId)).UsableMicros);
        Assert.Equal(12_000, await LedgerSum(host, userId));

        var entries = await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().LedgerEntries.AsNoTracking()
            .Where(e => e.ReservationId == hold.Id).Select(e => new { e.Kind, e.PoolId, e.AmountMicros, e.InferenceId }).ToListAsync());
        Assert.All(entries, e => Assert.Equal("inf-spread", e.InferenceId));
        Assert.Equal(-5_000, entries.Where(e => e.PoolId == sooner.Id && e.Kind == LedgerEntryKind.Settlement).Sum(e => e.AmountMicros));
        Assert.Equal(-1_000, entries.Where(e => e.PoolId == later.Id && e.Kind == LedgerEntryKind.Settlement).Sum(e => e.AmountMicros));
        Assert.DoesNotContain(entries, e => e.PoolId == never.Id && e.Kind == LedgerEntryKind.Settlement);
        Assert.Equal(3, entries.Count(e => e.Kind == LedgerEntryKind.Release));
        var reservation = await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditReservations.AsNoTracking().SingleAsync(r => r.Id == hold.Id));
        Assert.Equal(ReservationStatus.Settled, reservation.Status);
        Assert.Equal(6_000, reservation.ChargedMicros);
        Assert.Equal(host.Clock.GetUtcNow(), reservation.ClosedAt);
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Release_returns_the_whole_hold_and_a_second_release_changes_nothing(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        await Grant(host, userId, 10_000);
        var hold = (await Reserve(host, userId, "inf-release", 7_000)).Reservation!;
        Assert.Equal(3_000, (await Balance(host, userId)).UsableMicros);

        var released = await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().ReleaseAsync(hold, CancellationToken.None));
        Assert.Equal(7_000, released.ReleasedMicros);
        Assert.Equal(0, released.ChargedMicros);
        var again = await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().ReleaseAsync(hold, CancellationToken.None));
        Assert.True(again.AlreadyClosed);
        Assert.Equal(10_000, (await Balance(host, userId)).UsableMicros);
        Assert.Equal(10_000, await LedgerSum(host, userId));
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Holds_of_two_users_settled_twice_at_once_are_charged_once_each(string provider)
    {
        // Concurrent holds and settlements share transactions on SQLite (group commit): each must still see the ones
        // before it, so a second settlement of the same hold finds it closed, and users never mix.
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        string[] users = [await host.CreateUserAsync(), await host.CreateUserAsync()];
        const long cost = 10_000;
        foreach (var user in users)
        {
            await Grant(host, user, 20 * cost);
        }

        var holds = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => Reserve(host, users[i % 2], $"inf-twice-{i}", cost))));
        Assert.All(holds, h => Assert.True(h.IsReserved));
        var settled = await Task.WhenAll(holds.SelectMany(h => new[] { h.Reservation!, h.Reservation! }).Select(hold => Task.Run(() => host.InScopeAsync(sp =>
            sp.GetRequiredService<CreditReservations>().SettleAsync(hold, cost / 4, CancellationToken.None)))));

        Assert.Equal(40, settled.Count(s => !s.AlreadyClosed));
        Assert.All(settled, s => Assert.Equal(cost / 4, s.ChargedMicros));
        foreach (var user in users)
        {
            var balance = await Balance(host, user);
            Assert.Equal((20 * cost) - (20 * (cost / 4)), balance.UsableMicros);
            Assert.Equal(0, balance.HeldMicros);
            Assert.Equal(balance.UsableMicros, await LedgerSum(host, user));
        }

        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Usage_beyond_the_hold_is_charged_only_as_far_as_credits_exist(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        await Grant(host, userId, 10_000);
        var hold = (await Reserve(host, userId, "inf-over", 4_000)).Reservation!;
        var settled = await host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().SettleAsync(hold, 12_000, CancellationToken.None));
        Assert.Equal(10_000, settled.ChargedMicros);
        Assert.Equal(2_000, settled.UncoveredMicros);
        Assert.Equal(0, (await Balance(host, userId)).UsableMicros);
        Assert.Equal(0, await LedgerSum(host, userId));
        await AssertBooksBalance(host);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Reservations_left_open_by_a_crashed_run_are_released_when_the_instance_starts_again(string provider)
    {
        var database = await databases.GetAsync(provider);
        var instance = "crash-" + Guid.NewGuid().ToString("N");
        string userId;
        CreditHold otherInstanceHold;
        await using (var first = await BillingTestHost.StartAsync(database, instanceId: instance))
        {
            userId = await first.CreateUserAsync();
            await Grant(first, userId, 100_000);
            for (var i = 0; i < 3; i++)
            {
                Assert.True((await Reserve(first, userId, $"inf-streaming-{i}", 10_000)).IsReserved);
            }

            Assert.Equal(70_000, (await Balance(first, userId)).UsableMicros);
        }

        // A live replica's request must survive this instance's restart.
        await using (var replica = await BillingTestHost.StartAsync(database, instanceId: "replica-" + Guid.NewGuid().ToString("N")))
        {
            otherInstanceHold = (await Reserve(replica, userId, "inf-on-replica", 5_000)).Reservation!;
        }

        // The "host was killed": no settle ever came. The same instance starts again.
        await using var restarted = await BillingTestHost.StartAsync(database, instanceId: instance);
        var balance = await Balance(restarted, userId);
        Assert.Equal(95_000, balance.UsableMicros);
        Assert.Equal(5_000, balance.HeldMicros);
        Assert.Equal(95_000, await LedgerSum(restarted, userId));
        var statuses = await restarted.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditReservations
            .Where(r => r.UserId == userId).Select(r => new { r.InferenceId, r.Status }).ToListAsync());
        Assert.All(statuses.Where(s => s.InferenceId.StartsWith("inf-streaming", StringComparison.Ordinal)), s => Assert.Equal(ReservationStatus.Released, s.Status));
        Assert.Equal(ReservationStatus.Open, statuses.Single(s => s.InferenceId == "inf-on-replica").Status);

        // Hours later the replica's reservation counts as stale too; if its request still finishes, it is charged.
        restarted.Clock.Advance(TimeSpan.FromHours(2));
        var maintenance = restarted.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<BillingMaintenance>().Single();
        var report = await maintenance.RunOnceAsync(previousRunOf: null, check: true, CancellationToken.None);
        Assert.NotNull(report);
        Assert.True(report.IsConsistent);
        Assert.Equal(100_000, (await Balance(restarted, userId)).UsableMicros);
        var late = await restarted.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().SettleAsync(otherInstanceHold, 3_000, CancellationToken.None));
        Assert.Equal(3_000, late.ChargedMicros);
        Assert.Equal(97_000, (await Balance(restarted, userId)).UsableMicros);
        await AssertBooksBalance(restarted);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task The_ledger_check_finds_a_tampered_pool(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        var pool = await Grant(host, userId, 5_000);
        await AssertBooksBalance(host);
        await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditPools.Where(p => p.Id == pool.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.RemainingMicros, 6_000)));
        var report = await host.InScopeAsync(sp => sp.GetRequiredService<CreditLedger>().CheckAsync(CancellationToken.None));
        var drift = Assert.Single(report.Drifts);
        Assert.Equal(pool.Id, drift.Id);
        Assert.Equal(6_000, drift.StoredMicros);
        Assert.Equal(5_000, drift.LedgerMicros);

        // Put it back so the other tests of this class see balanced books.
        await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditPools.Where(p => p.Id == pool.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.RemainingMicros, 5_000)));
    }

    [Theory]
    [PostgresData]
    public async Task A_hold_whose_read_went_out_of_date_before_it_wrote_is_decided_again_on_the_newest_balance(string provider)
    {
        // PostgreSQL reads a hold's pools without a lock and takes the account row only for the writes. Hold that row
        // from outside, let the hold read a balance of 1,000,000 and block on its writes, then spend 500,000 of it: the
        // hold's guarded write must fail, and the hold be decided again on what is left.
        var database = await databases.GetAsync(provider);
        await using var host = await BillingTestHost.StartAsync(database);
        var userId = await host.CreateUserAsync();
        var pool = await Grant(host, userId, 1_000_000);
        var (blocker, transaction) = await HoldAccountRowAsync(database, userId);
        await using var _ = blocker;

        var reserving = Reserve(host, userId, "inf-overtaken", 600_000);
        await Wait.UntilAsync(() => SessionsWaitingOnALockAsync(database.PostgresConnectionString!, reserving), "the hold's writes waiting for the account row");
        await ExecuteAsync(blocker, transaction, """UPDATE "CreditPools" SET "RemainingMicros" = "RemainingMicros" - 500000 WHERE "Id" = @p""", pool.Id);
        await transaction.CommitAsync();

        var result = await reserving;
        Assert.False(result.IsReserved);
        Assert.Equal(500_000, result.AvailableMicros);
        Assert.Equal(500_000, (await Remaining(host, pool.Id))[0]);
        Assert.False(await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditReservations.AnyAsync(r => r.InferenceId == "inf-overtaken")));

        // With the balance back, the same hold goes through, drawn once.
        await ExecuteAsync(blocker, null, """UPDATE "CreditPools" SET "RemainingMicros" = 1000000 WHERE "Id" = @p""", pool.Id);
        Assert.True((await Reserve(host, userId, "inf-after", 600_000)).IsReserved);
        Assert.Equal(400_000, (await Remaining(host, pool.Id))[0]);
        await AssertBooksBalance(host);
    }

    [Theory]
    [PostgresData]
    public async Task A_hold_whose_guard_fails_inside_a_group_transaction_leaves_the_others_of_that_transaction_committed(string provider)
    {
        // PostgreSQL writes every operation through one group transaction. Hold user A's account row from outside so the
        // writer blocks on A's first hold; queue A's second hold and two holds of B behind it (one group), then spend A's
        // balance: both of A's holds must fail their guard and be refused on what is left, while B's two, sent in the
        // same transaction as A's second, are committed.
        var database = await databases.GetAsync(provider);
        await using var host = await BillingTestHost.StartAsync(database);
        var userA = await host.CreateUserAsync();
        var userB = await host.CreateUserAsync();
        var poolA = await Grant(host, userA, 1_000_000);
        var poolB = await Grant(host, userB, 1_000_000);
        var (blocker, transaction) = await HoldAccountRowAsync(database, userA);
        await using var _ = blocker;

        var firstA = Reserve(host, userA, "inf-a1", 600_000);
        await Wait.UntilAsync(() => SessionsWaitingOnALockAsync(database.PostgresConnectionString!, firstA), "the group writer waiting for A's account row");
        var group = host.Services.GetRequiredService<PostgresGroupCommit>();
        Task<ReservationResult>[] queued = [Reserve(host, userA, "inf-a2", 600_000), Reserve(host, userB, "inf-b1", 300_000), Reserve(host, userB, "inf-b2", 300_000)];
        await Wait.UntilAsync(() => Task.FromResult(group.Pending == queued.Length), "the three holds queued for the next group transaction");
        await ExecuteAsync(blocker, transaction, """UPDATE "CreditPools" SET "RemainingMicros" = "RemainingMicros" - 500000 WHERE "Id" = @p""", poolA.Id);
        await transaction.CommitAsync();

        foreach (var refused in new[] { await firstA, await queued[0] })
        {
            Assert.False(refused.IsReserved);
            Assert.Equal(500_000, refused.AvailableMicros);
        }

        Assert.True((await queued[1]).IsReserved);
        Assert.True((await queued[2]).IsReserved);
        Assert.Equal(500_000, (await Remaining(host, poolA.Id))[0]);
        Assert.Equal(400_000, (await Remaining(host, poolB.Id))[0]);
        var inferences = await host.InScopeAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditReservations
            .Where(r => r.UserId == userA || r.UserId == userB).Select(r => r.InferenceId).ToListAsync());
        Assert.Equal(["inf-b1", "inf-b2"], inferences.Order());

        // The outside spend wrote no ledger entry: undo it before checking the books.
        await ExecuteAsync(blocker, null, """UPDATE "CreditPools" SET "RemainingMicros" = 1000000 WHERE "Id" = @p""", poolA.Id);
        await AssertBooksBalance(host);
    }

    [Theory]
    [PostgresData]
    public async Task A_full_disk_while_a_billing_account_is_created_reaches_the_caller_as_a_full_disk(string provider)
    {
        // A user's first hold creates the billing account, and a failed insert there is taken for a concurrent creation
        // only when it is not a full (or unreachable) database: the caller must see the full disk to answer 507.
        var database = await databases.GetAsync(provider);
        await using var host = await BillingTestHost.StartAsync(database);
        var userId = await host.CreateUserAsync();
        await using var admin = new NpgsqlConnection(database.PostgresConnectionString);
        await admin.OpenAsync();
        await using (var install = new NpgsqlCommand("""
            CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$;
            CREATE TRIGGER test_disk_full BEFORE INSERT ON "BillingAccounts" FOR EACH ROW EXECUTE FUNCTION test_disk_full();
            """, admin))
        {
            await install.ExecuteNonQueryAsync();
        }

        try
        {
            var thrown = await Assert.ThrowsAnyAsync<Exception>(() => Reserve(host, userId, "inf-full", 1_000));
            Assert.True(StorageFull.IsCause(thrown), thrown.ToString());
        }
        finally
        {
            await using var remove = new NpgsqlCommand("""DROP TRIGGER test_disk_full ON "BillingAccounts"; DROP FUNCTION test_disk_full();""", admin);
            await remove.ExecuteNonQueryAsync();
        }

        Assert.False((await Reserve(host, userId, "inf-space-back", 1_000)).IsReserved);
        Assert.Equal(0, (await Balance(host, userId)).UsableMicros);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, object value)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("p", value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Takes <paramref name="userId"/>'s account row from outside the host, as its writes do, until the transaction ends.</summary>
    private static async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> HoldAccountRowAsync(TestDatabase database, string userId)
    {
        var connection = new NpgsqlConnection(database.PostgresConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, transaction, """SELECT 1 FROM "BillingAccounts" WHERE "UserId" = @p FOR UPDATE""", userId);
        return (connection, transaction);
    }

    private static async Task<bool> SessionsWaitingOnALockAsync(string connectionString, Task reserving)
    {
        Assert.False(reserving.IsCompleted, "the hold finished while the account row was held");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Grants_refuse_bad_input_and_unknown_users(string provider)
    {
        await using var host = await BillingTestHost.StartAsync(await databases.GetAsync(provider));
        var userId = await host.CreateUserAsync();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Grant(host, userId, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => host.InScopeAsync(sp => sp.GetRequiredService<CreditLedger>()
            .GrantAsync(userId, CreditSource.AdminGrant, 10, host.Clock.GetUtcNow().AddSeconds(-1), null, null, CancellationToken.None)));
        await Assert.ThrowsAsync<UnknownUserException>(() => Grant(host, "no-such-user", 10));
        await Assert.ThrowsAsync<UnknownUserException>(() => Reserve(host, "no-such-user", "inf-x", 10));
        Assert.Equal(0, (await Balance(host, userId)).UsableMicros);
    }

    internal static Task<CreditPool> Grant(BillingTestHost host, string userId, long micros, DateTimeOffset? expires = null, CreditSource source = CreditSource.AdminGrant) =>
        host.InScopeAsync(sp => sp.GetRequiredService<CreditLedger>().GrantAsync(userId, source, micros, expires, "test", null, CancellationToken.None));

    internal static Task<ReservationResult> Reserve(BillingTestHost host, string userId, string inferenceId, long micros) =>
        host.InScopeAsync(sp => sp.GetRequiredService<CreditReservations>().ReserveAsync(userId, inferenceId, micros, CancellationToken.None));

    internal static Task<CreditBalance> Balance(BillingTestHost host, string userId) =>
        host.InScopeAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, CancellationToken.None));

    internal static Task<long> LedgerSum(BillingTestHost host, string userId) =>
        host.InScopeAsync(sp => sp.GetRequiredService<CreditLedger>().GetLedgerSumAsync(userId, CancellationToken.None));

    internal static Task<long[]> Remaining(BillingTestHost host, params Guid[] poolIds) => host.InScopeAsync(async sp =>
    {
        var pools = await sp.GetRequiredService<AkashDbContext>().CreditPools.AsNoTracking().Where(p => poolIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.RemainingMicros);
        return poolIds.Select(id => pools[id]).ToArray();
    });

    internal static async Task AssertBooksBalance(BillingTestHost host)
    {
        var report = await host.InScopeAsync(sp => sp.GetRequiredService<CreditLedger>().CheckAsync(CancellationToken.None));
        Assert.True(report.IsConsistent, string.Join("; ", report.Drifts));
        Assert.True(report.PoolsChecked > 0);
    }

    private static void InterlockedMin(ref long target, long value)
    {
        long seen;
        while (value < (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    internal static string Usd(long micros) => Money.FormatUsd(micros);
}
