namespace AkashML.Billing.Reservations;

/// <summary>
/// The statements of <see cref="DirectReservations"/> for one provider, built once: the two reads are each one text of
/// several queries (one round trip on PostgreSQL), the writes are single statements (batched on PostgreSQL, run one by
/// one from prepared commands on SQLite), each changing exactly one row.
/// </summary>
internal sealed class CreditStatements
{
    public CreditStatements(BillingTables tables, bool sqlite)
    {
        var a = tables.Accounts;
        var p = tables.Pools;
        var r = tables.Reservations;
        var l = tables.Ledger;

        // Reads the account row, locking it on PostgreSQL (SQLite callers hold the process-wide gate instead).
        var lockAccount = sqlite ? ";\n" : " FOR UPDATE;\n";
        var pools = $"SELECT {p["Id"].Name}, {p["RemainingMicros"].Name}, {p["ExpiresAt"].Name}, {p["CreatedAt"].Name} FROM {p.Name} "
            + $"WHERE {p["UserId"].Name} = @p0 AND ({p["RemainingMicros"].Name} > 0";

        HoldRead = new Statement(
            $"SELECT {a["UserId"].Name} FROM {a.Name} WHERE {a["UserId"].Name} = @p0{lockAccount}{pools});\n",
            a["UserId"]);

        SettlementAccountColumns =
        [
            a["AutoTopUpEnabled"], a["AutoTopUpPaymentId"], a["PaymentMethodId"], a["StripeCustomerId"],
            a["AutoTopUpThresholdMicros"], a["AutoTopUpAmountMicros"], a["AutoTopUpLastErrorAt"],
        ];
        var close = $"SELECT {string.Join(", ", SettlementAccountColumns.Select(c => c.Name))} FROM {a.Name} WHERE {a["UserId"].Name} = @p0{lockAccount}"
            + $"SELECT {r["Status"].Name}, {r["HeldMicros"].Name}, {r["ChargedMicros"].Name}, {r["UncoveredMicros"].Name}, {r["InferenceId"].Name} "
            + $"FROM {r.Name} WHERE {r["Id"].Name} = @p1;\n"
            + $"SELECT {l["PoolId"].Name}, CAST(SUM({l["AmountMicros"].Name}) AS BIGINT) FROM {l.Name} "
            + $"WHERE {l["ReservationId"].Name} = @p1 AND {l["Kind"].Name} = @p2 GROUP BY {l["PoolId"].Name};\n"
            + $"{pools} OR {p["Id"].Name} IN (SELECT {l["PoolId"].Name} FROM {l.Name} WHERE {l["ReservationId"].Name} = @p1));\n";
        SettlementRead = new Statement(close, a["UserId"], r["Id"], l["Kind"]);

        // PostgreSQL commits in the same batch as the writes, so a write that changes no row must fail there and then.
        Statement Write(Statement statement) => sqlite ? statement
            : new($"WITH written AS ({statement.Text} RETURNING 1) SELECT 1 / COUNT(*) FROM written", statement.Parameters);

        InsertReservation = Write(r.InsertStatement());
        InsertLedgerEntry = Write(l.InsertStatement());

        // A relative change that can never take a pool below zero (the row count check would then fail).
        var remaining = p["RemainingMicros"].Name;
        ChangePool = Write(new Statement(
            $"UPDATE {p.Name} SET {remaining} = {remaining} + @p0 WHERE {p["Id"].Name} = @p1 AND {remaining} + @p0 >= 0",
            p["RemainingMicros"], p["Id"]));

        CloseReservation = Write(new Statement(
            $"UPDATE {r.Name} SET {r["Status"].Name} = @p0, {r["ChargedMicros"].Name} = @p1, {r["UncoveredMicros"].Name} = @p2, {r["ClosedAt"].Name} = @p3 "
            + $"WHERE {r["Id"].Name} = @p4 AND {r["Status"].Name} = @p5",
            r["Status"], r["ChargedMicros"], r["UncoveredMicros"], r["ClosedAt"], r["Id"], r["Status"]));
    }

    /// <summary>A hold's reads (user): the account (locked), then the user's pools with something left.</summary>
    public Statement HoldRead { get; }

    /// <summary>
    /// A settlement's reads (user, reservation, <c>Reservation</c> kind): the account (locked), the reservation, what it
    /// holds in each pool, and the user's pools with something left or held by it.
    /// </summary>
    public Statement SettlementRead { get; }

    /// <summary>The account columns <see cref="SettlementRead"/> reads (auto top-up decides on them), in order.</summary>
    public SqlColumn[] SettlementAccountColumns { get; }

    public Statement InsertReservation { get; }

    public Statement InsertLedgerEntry { get; }

    /// <summary>(delta, pool id).</summary>
    public Statement ChangePool { get; }

    /// <summary>(status, charged, uncovered, closed at, id, the open status it must still have).</summary>
    public Statement CloseReservation { get; }
}
