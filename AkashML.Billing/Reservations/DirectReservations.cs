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
/// It takes the same lock as <see cref="AccountLock"/> (the account row <c>FOR UPDATE</c>, or the SQLite gate through
/// <see cref="SqliteGroupCommit"/>) and writes the same rows and ledger entries as the general code in
/// <see cref="CreditReservations"/>. Anything unusual (no billing account yet, a pool that expired, usage beyond the
/// hold, a reservation no longer open, an auto top-up to start) rolls back untouched and answers null, and the caller
/// runs the general code instead.
/// </remarks>
internal sealed class DirectReservations(AkashDbContext db, SqliteGroupCommit sqliteGroup, TimeProvider clock, BillingOptions options)
{
    private readonly BillingTables _tables = BillingTables.Of(db);
    private readonly CreditStatements _statements = BillingTables.Of(db).Statements;
    private readonly bool _sqlite = db is SqliteAkashDbContext;

    /// <summary>
    /// The reservation, a refusal, or null when the general code must decide. With <paramref name="keyId"/>, a key with a
    /// budget must also have room for the hold in its current period, which then counts it (<see cref="ApiKeySpend"/>).
    /// </summary>
    public Task<ReservationResult?> TryReserveAsync(string userId, Guid? keyId, string inferenceId, long maxCostMicros, CancellationToken cancellationToken) =>
        InTransactionAsync<ReservationResult?>(async commands =>
        {
            var now = commands.Now;
            List<CreditPool> pools;
            KeyBudgetShortfall? budget = null;
            var (read, values) = keyId is { } key
                ? (_statements.BudgetHoldRead, new object?[]
                {
                    userId, key, BudgetCalendar.StartDay(ApiKeyBudgetPeriod.Daily, now),
                    BudgetCalendar.StartDay(ApiKeyBudgetPeriod.Weekly, now), BudgetCalendar.StartDay(ApiKeyBudgetPeriod.Monthly, now),
                })
                : (_statements.HoldRead, [userId]);
            await using (var reader = await commands.QueryAsync(read, values, cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return (null, false);
                }

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

                pools = await ReadPoolsAsync(reader, userId, cancellationToken);
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

            var writes = new List<(Statement, object?[])> { (_statements.InsertReservation, _tables.Reservations.InsertValues(reservation)) };
            if (budget is not null)
            {
                writes.Add((_statements.AddKeySpend,
                    [keyId, reservation.BudgetDay, maxCostMicros, BudgetCalendar.StartDay(budget.Period, now), budget.BudgetMicros]));
            }

            var left = maxCostMicros;
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
                left -= take;
            }

            await commands.WriteAsync(writes, cancellationToken);
            return (new ReservationResult(new CreditHold(reservation.Id, userId, inferenceId, maxCostMicros), usable, maxCostMicros), true);
        }, cancellationToken);

    /// <summary>Settles (or releases) an open reservation whose cost its hold covers; null when the general code must.</summary>
    public Task<SettlementResult?> TryCloseAsync(CreditHold hold, long cost, bool settle, CancellationToken cancellationToken) =>
        InTransactionAsync<SettlementResult?>(async commands =>
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

                var accountColumns = _statements.SettlementAccountColumns;
                account = new BillingAccount
                {
                    UserId = hold.UserId,
                    AutoTopUpEnabled = accountColumns[0].Read<bool>(reader, 0),
                    AutoTopUpPaymentId = accountColumns[1].Read<Guid?>(reader, 1),
                    PaymentMethodId = accountColumns[2].Read<string?>(reader, 2),
                    StripeCustomerId = accountColumns[3].Read<string?>(reader, 3),
                    AutoTopUpThresholdMicros = accountColumns[4].Read<long>(reader, 4),
                    AutoTopUpAmountMicros = accountColumns[5].Read<long>(reader, 5),
                    AutoTopUpLastErrorAt = accountColumns[6].Read<DateTimeOffset?>(reader, 6),
                };
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

            // As the general code: each held pool, soonest-expiring first, gets its hold back and pays what is left to pay.
            var closing = holds.Select(h => (Pool: byId[h.PoolId], h.Held)).OrderBy(h => h.Pool, UserPools.SpendingComparer.Instance)
                .Select(h => (h.Pool, h.Held, Charge: 0L)).ToList();
            var left = cost;
            var released = 0L;
            for (var i = 0; i < closing.Count; i++)
            {
                var (pool, held, _) = closing[i];
                var charge = Math.Min(left, held);
                closing[i] = (pool, held, charge);
                pool.RemainingMicros += held - charge;
                left -= charge;
                released += held - charge;
            }

            // Starting an auto top-up writes a payment too: rare, so the general code does it.
            if (settle && AutoTopUpPolicy.WouldStart(account, pools.Sum(p => p.RemainingMicros), now, options))
            {
                return (null, false);
            }

            var writes = new List<(Statement, object?[])>(closing.Count * 3 + 1);
            foreach (var (pool, held, charge) in closing)
            {
                writes.Add(Entry(pool, LedgerEntryKind.Release, held, now, reservation));
                if (charge > 0)
                {
                    writes.Add(Entry(pool, LedgerEntryKind.Settlement, -charge, now, reservation));
                }

                if (held != charge)
                {
                    writes.Add(PoolChange(pool, held - charge));
                }
            }

            if (reservation is { BudgetKeyId: { } budgetKey, BudgetDay: { } budgetDay } && cost != reservation.HeldMicros)
            {
                writes.Add((_statements.ChangeKeySpend, [cost - reservation.HeldMicros, budgetKey, budgetDay]));
            }

            writes.Add((_statements.CloseReservation,
                [settle ? ReservationStatus.Settled : ReservationStatus.Released, cost, 0L, now, reservation.Id, ReservationStatus.Open]));
            await commands.WriteAsync(writes, cancellationToken);
            return (new SettlementResult(cost, 0, released, AlreadyClosed: false), true);
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction, which keeps its changes when it answers <c>Keep</c>: on SQLite in
    /// the next group commit (<see cref="SqliteGroupCommit"/>), on PostgreSQL on the context's own connection, closed
    /// afterwards.
    /// </summary>
    private async Task<T> InTransactionAsync<T>(Func<CreditCommands, Task<(T Result, bool Keep)>> work, CancellationToken cancellationToken)
    {
        if (_sqlite)
        {
            return await sqliteGroup.RunAsync(work, cancellationToken);
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var commands = new BatchedCreditCommands(connection, transaction, clock.GetUtcNow());
            var (result, keep) = await work(commands);
            if (keep && !commands.Committed)
            {
                await transaction.CommitAsync(cancellationToken);
            }

            return result;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
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
