using System.Data.Common;
using System.Text;
using AkashML.Billing.Ledger;
using AkashML.Billing.TopUp;

namespace AkashML.Billing.Reservations;

/// <summary>
/// The common cases of reserving and settling in one short transaction of two hand-written commands (read, then
/// write), instead of EF queries and change tracking: this is on every API request's path (DESIGN.md, steps 5 and 7).
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
    private readonly bool _sqlite = db is SqliteAkashDbContext;

    /// <summary>The reservation, a refusal, or null when the general code must decide.</summary>
    public Task<ReservationResult?> TryReserveAsync(string userId, string inferenceId, long maxCostMicros, CancellationToken cancellationToken) =>
        InTransactionAsync<ReservationResult?>(async (connection, transaction, now) =>
        {
            List<CreditPool> pools;
            await using (var read = NewCommand(connection, transaction))
            {
                var bind = new SqlCommandBuilder(read);
                var user = bind.Bind(_tables.Accounts["UserId"], userId);
                read.CommandText = _tables.TryGetStatement(nameof(TryReserveAsync), out var cached) ? cached
                    : _tables.Remember(nameof(TryReserveAsync), ReserveReadText(user));
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return (null, false);
                }

                await reader.NextResultAsync(cancellationToken);
                pools = await ReadPoolsAsync(reader, userId, cancellationToken);
            }

            if (pools.Exists(p => !UserPools.IsLive(p, now)))
            {
                return (null, false);
            }

            var usable = pools.Sum(p => p.RemainingMicros);
            if (usable < maxCostMicros)
            {
                return (ReservationResult.Insufficient(usable, maxCostMicros), false);
            }

            var reservation = CreditReservation.Open(userId, inferenceId, maxCostMicros, options.ResolvedInstanceId, now);
            await using (var write = NewCommand(connection, transaction))
            {
                var text = new StringBuilder(2048);
                var bind = new SqlCommandBuilder(write);
                _tables.Reservations.AppendInsert(text, bind, reservation);
                var rows = 1;
                var left = maxCostMicros;
                foreach (var pool in pools.Where(p => p.RemainingMicros > 0).OrderBy(p => p, UserPools.SpendingComparer.Instance))
                {
                    if (left == 0)
                    {
                        break;
                    }

                    var take = Math.Min(left, pool.RemainingMicros);
                    AppendPost(text, bind, pool, LedgerEntryKind.Reservation, -take, now, reservation);
                    rows += 2;
                    left -= take;
                }

                write.CommandText = text.ToString();
                await ExecuteAsync(write, rows, cancellationToken);
            }

            return (new ReservationResult(new CreditHold(reservation.Id, userId, inferenceId, maxCostMicros), usable, maxCostMicros), true);
        }, cancellationToken);

    /// <summary>Settles (or releases) an open reservation whose cost its hold covers; null when the general code must.</summary>
    public Task<SettlementResult?> TryCloseAsync(CreditHold hold, long cost, bool settle, CancellationToken cancellationToken) =>
        InTransactionAsync<SettlementResult?>(async (connection, transaction, now) =>
        {
            BillingAccount account;
            CreditReservation reservation;
            List<(Guid PoolId, long Held)> holds = [];
            List<CreditPool> pools;
            await using (var read = NewCommand(connection, transaction))
            {
                var bind = new SqlCommandBuilder(read);
                var user = bind.Bind(_tables.Accounts["UserId"], hold.UserId);
                var id = bind.Bind(_tables.Reservations["Id"], hold.Id);
                var kind = bind.Bind(_tables.Ledger["Kind"], LedgerEntryKind.Reservation);
                var accountColumns = SettlementAccountColumns();
                read.CommandText = _tables.TryGetStatement(nameof(TryCloseAsync), out var cached) ? cached
                    : _tables.Remember(nameof(TryCloseAsync), CloseReadText(accountColumns, user, id, kind));
                var r = _tables.Reservations;
                var l = _tables.Ledger;

                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return (null, false);
                }

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

            await using (var write = NewCommand(connection, transaction))
            {
                var text = new StringBuilder(2048);
                var bind = new SqlCommandBuilder(write);
                var rows = 1;
                foreach (var (pool, held, charge) in closing)
                {
                    AppendEntry(text, bind, pool, LedgerEntryKind.Release, held, now, reservation);
                    rows++;
                    if (charge > 0)
                    {
                        AppendEntry(text, bind, pool, LedgerEntryKind.Settlement, -charge, now, reservation);
                        rows++;
                    }

                    if (held != charge)
                    {
                        AppendPoolChange(text, bind, pool, held - charge);
                        rows++;
                    }
                }

                var r = _tables.Reservations;
                text.Append("UPDATE ").Append(r.Name).Append(" SET ")
                    .Append(r["Status"].Name).Append(" = ").Append(bind.Bind(r["Status"], settle ? ReservationStatus.Settled : ReservationStatus.Released)).Append(", ")
                    .Append(r["ChargedMicros"].Name).Append(" = ").Append(bind.Bind(r["ChargedMicros"], cost)).Append(", ")
                    .Append(r["UncoveredMicros"].Name).Append(" = ").Append(bind.Bind(r["UncoveredMicros"], 0L)).Append(", ")
                    .Append(r["ClosedAt"].Name).Append(" = ").Append(bind.Bind(r["ClosedAt"], now))
                    .Append(" WHERE ").Append(r["Id"].Name).Append(" = ").Append(bind.Bind(r["Id"], reservation.Id))
                    .Append(" AND ").Append(r["Status"].Name).Append(" = ").Append(bind.Bind(r["Status"], ReservationStatus.Open)).Append(";\n");
                write.CommandText = text.ToString();
                await ExecuteAsync(write, rows, cancellationToken);
            }

            return (new SettlementResult(cost, 0, released, AlreadyClosed: false), true);
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction, which keeps its changes when it answers <c>Keep</c>: on SQLite in
    /// the next group commit (<see cref="SqliteGroupCommit"/>), on PostgreSQL on the context's own connection, closed
    /// afterwards.
    /// </summary>
    private async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, DateTimeOffset, Task<(T Result, bool Keep)>> work, CancellationToken cancellationToken)
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
            var (result, keep) = await work(connection, transaction, clock.GetUtcNow());
            if (keep)
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

    /// <summary>The account columns a settlement reads (auto top-up decides on them), in the order they are read.</summary>
    private SqlColumn[] SettlementAccountColumns()
    {
        var accounts = _tables.Accounts;
        return
        [
            accounts["AutoTopUpEnabled"], accounts["AutoTopUpPaymentId"], accounts["PaymentMethodId"], accounts["StripeCustomerId"],
            accounts["AutoTopUpThresholdMicros"], accounts["AutoTopUpAmountMicros"], accounts["AutoTopUpLastErrorAt"],
        ];
    }

    /// <summary>A hold's reads: the account (locked), then the user's pools.</summary>
    private string ReserveReadText(string user)
    {
        var text = new StringBuilder(512);
        AppendAccountLock(text, [_tables.Accounts["UserId"]], user);
        AppendPools(text, user, heldBy: null);
        return text.ToString();
    }

    /// <summary>A settlement's reads: the account (locked), the reservation, what it holds in each pool, the pools.</summary>
    private string CloseReadText(SqlColumn[] accountColumns, string user, string id, string kind)
    {
        var text = new StringBuilder(1024);
        AppendAccountLock(text, accountColumns, user);
        var r = _tables.Reservations;
        text.Append("SELECT ").Append(r["Status"].Name).Append(", ").Append(r["HeldMicros"].Name).Append(", ").Append(r["ChargedMicros"].Name)
            .Append(", ").Append(r["UncoveredMicros"].Name).Append(", ").Append(r["InferenceId"].Name)
            .Append(" FROM ").Append(r.Name).Append(" WHERE ").Append(r["Id"].Name).Append(" = ").Append(id).Append(";\n");
        var l = _tables.Ledger;
        text.Append("SELECT ").Append(l["PoolId"].Name).Append(", CAST(SUM(").Append(l["AmountMicros"].Name).Append(") AS BIGINT) FROM ").Append(l.Name)
            .Append(" WHERE ").Append(l["ReservationId"].Name).Append(" = ").Append(id).Append(" AND ").Append(l["Kind"].Name).Append(" = ").Append(kind)
            .Append(" GROUP BY ").Append(l["PoolId"].Name).Append(";\n");
        AppendPools(text, user, heldBy: id);
        return text.ToString();
    }

    private static DbCommand NewCommand(DbConnection connection, DbTransaction transaction)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Reads the account row, locking it on PostgreSQL (SQLite callers hold the process-wide gate instead).</summary>
    private void AppendAccountLock(StringBuilder text, SqlColumn[] columns, string user)
    {
        var a = _tables.Accounts;
        text.Append("SELECT ").AppendJoin(", ", columns.Select(c => c.Name)).Append(" FROM ").Append(a.Name)
            .Append(" WHERE ").Append(a["UserId"].Name).Append(" = ").Append(user).Append(_sqlite ? ";\n" : " FOR UPDATE;\n");
    }

    /// <summary>The user's pools with something left, and those <paramref name="heldBy"/> holds credits in.</summary>
    private void AppendPools(StringBuilder text, string user, string? heldBy)
    {
        var p = _tables.Pools;
        text.Append("SELECT ").Append(p["Id"].Name).Append(", ").Append(p["RemainingMicros"].Name).Append(", ").Append(p["ExpiresAt"].Name).Append(", ").Append(p["CreatedAt"].Name)
            .Append(" FROM ").Append(p.Name).Append(" WHERE ").Append(p["UserId"].Name).Append(" = ").Append(user).Append(" AND (").Append(p["RemainingMicros"].Name).Append(" > 0");
        if (heldBy is not null)
        {
            var l = _tables.Ledger;
            text.Append(" OR ").Append(p["Id"].Name).Append(" IN (SELECT ").Append(l["PoolId"].Name).Append(" FROM ").Append(l.Name)
                .Append(" WHERE ").Append(l["ReservationId"].Name).Append(" = ").Append(heldBy).Append(')');
        }

        text.Append(");\n");
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

    /// <summary>Moves <paramref name="amount"/> in or out of <paramref name="pool"/> with its ledger entry, as <see cref="UserPools.Post"/> does.</summary>
    private void AppendPost(StringBuilder text, SqlCommandBuilder bind, CreditPool pool, LedgerEntryKind kind, long amount, DateTimeOffset now, CreditReservation reservation)
    {
        AppendEntry(text, bind, pool, kind, amount, now, reservation);
        AppendPoolChange(text, bind, pool, amount);
    }

    private void AppendEntry(StringBuilder text, SqlCommandBuilder bind, CreditPool pool, LedgerEntryKind kind, long amount, DateTimeOffset now, CreditReservation reservation) =>
        _tables.Ledger.AppendInsert(text, bind, new LedgerEntry
        {
            UserId = reservation.UserId,
            PoolId = pool.Id,
            Kind = kind,
            AmountMicros = amount,
            ReservationId = reservation.Id,
            InferenceId = reservation.InferenceId,
            CreatedAt = now,
        });

    /// <summary>A relative change that can never take a pool below zero (the row count check would then fail).</summary>
    private void AppendPoolChange(StringBuilder text, SqlCommandBuilder bind, CreditPool pool, long amount)
    {
        var p = _tables.Pools;
        var remaining = p["RemainingMicros"];
        var delta = bind.Bind(remaining, amount);
        text.Append("UPDATE ").Append(p.Name).Append(" SET ").Append(remaining.Name).Append(" = ").Append(remaining.Name).Append(" + ").Append(delta)
            .Append(" WHERE ").Append(p["Id"].Name).Append(" = ").Append(bind.Bind(p["Id"], pool.Id))
            .Append(" AND ").Append(remaining.Name).Append(" + ").Append(delta).Append(" >= 0;\n");
    }

    /// <summary>Runs the writes; any row that was not written as planned rolls the whole transaction back.</summary>
    private static async Task ExecuteAsync(DbCommand write, int expectedRows, CancellationToken cancellationToken)
    {
        var rows = await write.ExecuteNonQueryAsync(cancellationToken);
        if (rows != expectedRows)
        {
            throw new InvalidOperationException($"A credit update wrote {rows} rows instead of {expectedRows}; nothing was changed.");
        }
    }
}
