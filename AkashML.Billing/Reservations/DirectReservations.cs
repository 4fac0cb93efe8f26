using System.Data.Common;
using AkashML.Billing.Ledger;
using AkashML.Billing.TopUp;
using AkashML.Data.Keys;

namespace AkashML.Billing.Reservations;

/// <summary>
/// The common cases of reserving and settling in one short transaction of hand-written statements (a read, then
/// the writes), instead of EF queries and change tracking: this is on every API request's path (DESIGN.md, steps 5 and 7).
/// </summary>
/// <remarks>
/// It writes under the same lock as <see cref="AccountLock"/> (the SQLite gate through <see cref="SqliteGroupCommit"/>,
/// or on PostgreSQL the account row <c>FOR UPDATE</c>, taken by the group transaction of <see cref="PostgresGroupCommit"/>
/// right before the writes, so that the row is never held across a round trip: the reads run before it, and guarded
/// writes catch a read that went out of date) and writes the same rows and ledger entries as the general code in
/// <see cref="CreditReservations"/>. Anything unusual (no billing
/// account yet, a pool that expired, usage beyond the hold, a reservation no longer open, an auto top-up to start)
/// rolls back untouched and answers null, and the caller runs the general code instead. An auto top-up is decided on
/// the read, so one that a concurrent request's charge made due starts at the next settlement that sees it.
/// </remarks>
internal sealed class DirectReservations(AkashDbContext db, SqliteGroupCommit sqliteGroup, PostgresGroupCommit postgresGroup, CreditSnapshots snapshots, TimeProvider clock, BillingOptions options)
{
    private readonly BillingTables _tables = BillingTables.Of(db);
    private readonly CreditStatements _statements = BillingTables.Of(db).Statements;
    private readonly bool _sqlite = db is SqliteAkashDbContext;

    // SQLite reads in-process under its gate, which costs less than keeping snapshots right.
    private readonly CreditSnapshots? _snapshots = db is SqliteAkashDbContext ? null : snapshots;

    /// <summary>How many times a PostgreSQL operation is computed again after its read went out of date.</summary>
    private const int ConflictAttempts = 3;

    /// <summary>
    /// The reservation, a refusal, or null when the general code must decide. With <paramref name="keyId"/>, a key with a
    /// budget must also have room for the hold in its current period, which then counts it (<see cref="ApiKeySpend"/>).
    /// </summary>
    public Task<ReservationResult?> TryReserveAsync(string userId, Guid? keyId, string inferenceId, long maxCostMicros, CancellationToken cancellationToken)
    {
        // PostgreSQL's first attempt may stand on this process's snapshot of the user's pools instead of a read round
        // trip; a retry after a failed guard always reads.
        var mayUseSnapshot = _snapshots is not null;
        return InTransactionAsync<ReservationResult>(userId, async commands =>
        {
            var now = commands.Now;
            var snapshot = mayUseSnapshot ? _snapshots!.Get(userId, now) : null;
            mayUseSnapshot = false;
            List<CreditPool> pools;
            KeyBudgetShortfall? budget = null;
            bool autoTopUpArmed;
            if (snapshot is not null && snapshot.Pools.Sum(p => p.RemainingMicros) >= maxCostMicros)
            {
                pools = [.. snapshot.Pools.Select(p => p.ToPool(userId))];
                autoTopUpArmed = snapshot.AutoTopUpArmed;
            }
            else
            {
                snapshot = null;
                var read = await ReadForHoldAsync(commands, userId, keyId, now, cancellationToken);
                if (read is null)
                {
                    return (null, false);
                }

                (pools, budget, autoTopUpArmed) = read.Value;
                _snapshots?.Store(userId, pools, autoTopUpArmed, now);
            }

            if (pools.Exists(p => !UserPools.IsLive(p, now)))
            {
                return (null, false);
            }

            var usable = pools.Sum(p => p.RemainingMicros);
            if (budget is not null && budget.SpentMicros + maxCostMicros > budget.BudgetMicros)
            {
                return (ReservationResult.OverBudget(budget, usable, maxCostMicros), false);
            }

            if (usable < maxCostMicros)
            {
                return (ReservationResult.Insufficient(usable, maxCostMicros), false);
            }

            var reservation = CreditReservation.Open(userId, inferenceId, maxCostMicros, options.ResolvedInstanceId, now);
            reservation.BudgetKeyId = keyId;
            if (budget is not null)
            {
                reservation.BudgetDay = BudgetCalendar.Day(now);
            }

            var writes = new List<(Statement, object?[])>(8);
            if (budget is null && keyId is { } unbudgeted && _statements.KeyHasNoBudget is { } noBudget)
            {
                // Neither a snapshot nor a read taken before the lock can vouch that the key still has no budget: one set
                // since sends the hold back to the read that checks it.
                writes.Add((noBudget, [unbudgeted]));
            }

            writes.Add((_statements.InsertReservation, _tables.Reservations.InsertValues(reservation)));
            if (budget is not null)
            {
                writes.Add((_statements.AddKeySpend,
                    [keyId, reservation.BudgetDay, maxCostMicros, BudgetCalendar.StartDay(budget.Period, now), budget.BudgetMicros]));
            }

            var left = maxCostMicros;
            var draws = new List<(CreditPool Pool, long Held)>(1);
            foreach (var pool in pools.Where(p => p.RemainingMicros > 0).OrderBy(p => p, UserPools.SpendingComparer.Instance))
            {
                if (left == 0)
                {
                    break;
                }

                // As UserPools.Post: the ledger entry, then the pool's change.
                var take = Math.Min(left, pool.RemainingMicros);
                writes.Add(Entry(pool, LedgerEntryKind.Reservation, -take, now, reservation));
                writes.Add(PoolChange(pool, -take));
                draws.Add((pool, take));
                left -= take;
            }

            try
            {
                await commands.WriteAsync(writes, cancellationToken);
            }
            catch (CreditWriteConflictException)
            {
                _snapshots?.Forget(userId);
                throw;
            }

            _snapshots?.Apply(userId, [.. draws.Select(d => (d.Pool, -d.Held))]);

            // An account whose auto top-up could start settles through the reads that decide it.
            var hold = new CreditHold(reservation.Id, userId, inferenceId, maxCostMicros)
            {
                Draws = autoTopUpArmed ? null : new HoldDraws(draws, reservation.BudgetKeyId, reservation.BudgetDay),
            };
            return (new ReservationResult(hold, usable, maxCostMicros), true);
        }, cancellationToken);
    }

    /// <summary>
    /// A hold's read: the user's pools, the key's budget when it has one, and whether the account's auto top-up could
    /// start; null when the user has no billing account yet.
    /// </summary>
    private async Task<(List<CreditPool> Pools, KeyBudgetShortfall? Budget, bool AutoTopUpArmed)?> ReadForHoldAsync(
        CreditCommands commands, string userId, Guid? keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (read, values) = keyId is { } key
            ? (_statements.BudgetHoldRead, new object?[]
            {
                userId, key, BudgetCalendar.StartDay(ApiKeyBudgetPeriod.Daily, now),
                BudgetCalendar.StartDay(ApiKeyBudgetPeriod.Weekly, now), BudgetCalendar.StartDay(ApiKeyBudgetPeriod.Monthly, now),
            })
            : (_statements.HoldRead, [userId]);
        await using var reader = await commands.QueryAsync(read, values, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var account = ReadAccount(reader, userId);
        KeyBudgetShortfall? budget = null;
        await reader.NextResultAsync(cancellationToken);
        if (keyId is not null)
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                var k = _tables.Keys;
                budget = new KeyBudgetShortfall(k["BudgetMicros"].Read<long>(reader, 0), k["BudgetPeriod"].Read<ApiKeyBudgetPeriod>(reader, 1), reader.GetInt64(2));
            }

            await reader.NextResultAsync(cancellationToken);
        }

        var pools = await ReadPoolsAsync(reader, userId, cancellationToken);
        return (pools, budget, AutoTopUpPolicy.WouldStart(account, long.MinValue, now, options));
    }

    /// <summary>Settles (or releases) an open reservation whose cost its hold covers; null when the general code must.</summary>
    public async Task<SettlementResult?> TryCloseAsync(CreditHold hold, long cost, bool settle, CancellationToken cancellationToken) =>
        (hold.Draws is { } draws ? await TryCloseDrawnAsync(hold, draws, cost, settle, cancellationToken) : null)
        ?? await TryCloseReadAsync(hold, cost, settle, cancellationToken);

    /// <summary>
    /// Settles from what the hold knows it drew: the writes alone, the last of which finds the reservation still open or
    /// fails and leaves the case (closed twice, released by a sweep) to <see cref="TryCloseReadAsync"/>.
    /// </summary>
    private Task<SettlementResult?> TryCloseDrawnAsync(CreditHold hold, HoldDraws draws, long cost, bool settle, CancellationToken cancellationToken) =>
        InTransactionAsync<SettlementResult>(hold.UserId, async commands =>
        {
            var now = commands.Now;
            if (cost > hold.HeldMicros || draws.Pools.Any(d => !UserPools.IsLive(d.Pool, now)))
            {
                return (null, false);
            }

            var reservation = new CreditReservation
            {
                Id = hold.Id,
                UserId = hold.UserId,
                InferenceId = hold.InferenceId,
                HeldMicros = hold.HeldMicros,
                BudgetKeyId = draws.BudgetKeyId,
                BudgetDay = draws.BudgetDay,
                Holder = "",
            };
            var writes = new List<(Statement, object?[])>(draws.Pools.Count * 3 + 2);
            var returned = AddClosingWrites(writes, draws.Pools, reservation, cost, settle, now);
            try
            {
                await commands.WriteAsync(writes, cancellationToken);
            }
            catch (CreditWriteConflictException)
            {
                return (null, false);
            }

            _snapshots?.Apply(hold.UserId, returned);
            return (new SettlementResult(cost, 0, returned.Sum(r => r.Delta), AlreadyClosed: false), true);
        }, cancellationToken);

    private Task<SettlementResult?> TryCloseReadAsync(CreditHold hold, long cost, bool settle, CancellationToken cancellationToken) =>
        InTransactionAsync<SettlementResult>(hold.UserId, async commands =>
        {
            var now = commands.Now;
            BillingAccount account;
            CreditReservation reservation;
            List<(Guid PoolId, long Held)> holds = [];
            List<CreditPool> pools;
            var r = _tables.Reservations;
            var l = _tables.Ledger;
            await using (var reader = await commands.QueryAsync(_statements.SettlementRead, [hold.UserId, hold.Id, LedgerEntryKind.Reservation], cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return (null, false);
                }

                account = ReadAccount(reader, hold.UserId);
                await reader.NextResultAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return (null, false);
                }

                reservation = new CreditReservation
                {
                    Id = hold.Id,
                    UserId = hold.UserId,
                    Status = r["Status"].Read<ReservationStatus>(reader, 0),
                    HeldMicros = r["HeldMicros"].Read<long>(reader, 1),
                    ChargedMicros = r["ChargedMicros"].Read<long>(reader, 2),
                    UncoveredMicros = r["UncoveredMicros"].Read<long>(reader, 3),
                    InferenceId = r["InferenceId"].Read<string>(reader, 4),
                    BudgetKeyId = r["BudgetKeyId"].Read<Guid?>(reader, 5),
                    BudgetDay = r["BudgetDay"].Read<int?>(reader, 6),
                    Holder = "",
                };
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    holds.Add((l["PoolId"].Read<Guid>(reader, 0), -reader.GetInt64(1)));
                }

                await reader.NextResultAsync(cancellationToken);
                pools = await ReadPoolsAsync(reader, hold.UserId, cancellationToken);
            }

            if (reservation.Status == ReservationStatus.Settled || (reservation.Status == ReservationStatus.Released && !settle))
            {
                return (new SettlementResult(reservation.ChargedMicros, reservation.UncoveredMicros, 0, AlreadyClosed: true), false);
            }

            var byId = pools.ToDictionary(p => p.Id);
            if (reservation.Status != ReservationStatus.Open
                || cost > holds.Sum(h => h.Held)
                || holds.Exists(h => h.Held < 0 || !byId.ContainsKey(h.PoolId))
                || pools.Exists(p => !UserPools.IsLive(p, now)))
            {
                return (null, false);
            }

            // Starting an auto top-up writes a payment too: rare, so the general code does it.
            var held = holds.Select(h => (Pool: byId[h.PoolId], h.Held)).OrderBy(h => h.Pool, UserPools.SpendingComparer.Instance).ToList();
            if (settle && AutoTopUpPolicy.WouldStart(account, pools.Sum(p => p.RemainingMicros) + held.Sum(h => h.Held) - cost, now, options))
            {
                return (null, false);
            }

            var writes = new List<(Statement, object?[])>(held.Count * 3 + 2);
            var returned = AddClosingWrites(writes, held, reservation, cost, settle, now);
            await commands.WriteAsync(writes, cancellationToken);
            _snapshots?.Apply(hold.UserId, returned);
            return (new SettlementResult(cost, 0, returned.Sum(r => r.Delta), AlreadyClosed: false), true);
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/>, which keeps its writes when it answers <c>Keep</c>: on SQLite in the next group
    /// commit (<see cref="SqliteGroupCommit"/>); on PostgreSQL as an unlocked read and writes in the next
    /// <see cref="PostgresGroupCommit"/>, which locks the account before them, computed again from a fresh read when a
    /// guard finds the read out of date. After
    /// <see cref="ConflictAttempts"/> such conflicts it answers null and the general code, which locks before it reads, decides.
    /// </summary>
    private async Task<T?> InTransactionAsync<T>(string userId, Func<CreditCommands, Task<(T? Result, bool Keep)>> work, CancellationToken cancellationToken)
        where T : class
    {
        if (_sqlite)
        {
            return await sqliteGroup.RunAsync<T?>(work, cancellationToken);
        }

        try
        {
            for (var attempt = 0; attempt < ConflictAttempts; attempt++)
            {
                try
                {
                    return (await work(new BatchedCreditCommands(db.Database, postgresGroup, _statements.LockAccount!, userId, clock.GetUtcNow()))).Result;
                }
                catch (CreditWriteConflictException)
                {
                    // Another operation of this user committed between the read and the writes: read again.
                }
            }

            return null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// As the general code: each held pool, in spending order, gets its hold back and pays what is left to pay; the
    /// key's day moves from the hold to the charge and the reservation closes (guarded: only while still open).
    /// Answers what goes back to each pool.
    /// </summary>
    private List<(CreditPool Pool, long Delta)> AddClosingWrites(List<(Statement, object?[])> writes, IEnumerable<(CreditPool Pool, long Held)> held,
        CreditReservation reservation, long cost, bool settle, DateTimeOffset now)
    {
        var left = cost;
        var returned = new List<(CreditPool Pool, long Delta)>(1);
        foreach (var (pool, amount) in held)
        {
            var charge = Math.Min(left, amount);
            writes.Add(Entry(pool, LedgerEntryKind.Release, amount, now, reservation));
            if (charge > 0)
            {
                writes.Add(Entry(pool, LedgerEntryKind.Settlement, -charge, now, reservation));
            }

            if (amount != charge)
            {
                writes.Add(PoolChange(pool, amount - charge));
            }

            left -= charge;
            returned.Add((pool, amount - charge));
        }

        if (reservation is { BudgetKeyId: { } budgetKey, BudgetDay: { } budgetDay } && cost != reservation.HeldMicros)
        {
            writes.Add((_statements.ChangeKeySpend, [cost - reservation.HeldMicros, budgetKey, budgetDay]));
        }

        // A hold made with no budget that one set since now counts closes through the reads, which know its day.
        writes.Add((reservation.BudgetDay is null ? _statements.CloseUnbudgetedReservation : _statements.CloseReservation,
            [settle ? ReservationStatus.Settled : ReservationStatus.Released, cost, 0L, now, reservation.Id, ReservationStatus.Open]));
        return returned;
    }

    private BillingAccount ReadAccount(DbDataReader reader, string userId)
    {
        var columns = _statements.AccountColumns;
        return new BillingAccount
        {
            UserId = userId,
            AutoTopUpEnabled = columns[0].Read<bool>(reader, 0),
            AutoTopUpPaymentId = columns[1].Read<Guid?>(reader, 1),
            PaymentMethodId = columns[2].Read<string?>(reader, 2),
            StripeCustomerId = columns[3].Read<string?>(reader, 3),
            AutoTopUpThresholdMicros = columns[4].Read<long>(reader, 4),
            AutoTopUpAmountMicros = columns[5].Read<long>(reader, 5),
            AutoTopUpLastErrorAt = columns[6].Read<DateTimeOffset?>(reader, 6),
        };
    }

    private async Task<List<CreditPool>> ReadPoolsAsync(DbDataReader reader, string userId, CancellationToken cancellationToken)
    {
        var p = _tables.Pools;
        var pools = new List<CreditPool>();
        while (await reader.ReadAsync(cancellationToken))
        {
            pools.Add(new CreditPool
            {
                Id = p["Id"].Read<Guid>(reader, 0),
                UserId = userId,
                RemainingMicros = p["RemainingMicros"].Read<long>(reader, 1),
                ExpiresAt = p["ExpiresAt"].Read<DateTimeOffset?>(reader, 2),
                CreatedAt = p["CreatedAt"].Read<DateTimeOffset>(reader, 3),
            });
        }

        return pools;
    }

    private (Statement, object?[]) Entry(CreditPool pool, LedgerEntryKind kind, long amount, DateTimeOffset now, CreditReservation reservation) =>
        (_statements.InsertLedgerEntry, _tables.Ledger.InsertValues(new LedgerEntry
        {
            UserId = reservation.UserId,
            PoolId = pool.Id,
            Kind = kind,
            AmountMicros = amount,
            ReservationId = reservation.Id,
            InferenceId = reservation.InferenceId,
            CreatedAt = now,
        }));

    private (Statement, object?[]) PoolChange(CreditPool pool, long amount) => (_statements.ChangePool, [amount, pool.Id]);
}
