namespace AkashML.Billing.Ledger;

/// <summary>Where the stored remainders disagree with the ledger; empty lists mean the books balance.</summary>
public sealed record LedgerCheckReport(int PoolsChecked, int ReservationsChecked, IReadOnlyList<LedgerDrift> Drifts)
{
    public bool IsConsistent => Drifts.Count == 0;
}

/// <param name="Subject">What disagrees: <c>pool</c> or <c>reservation</c>.</param>
/// <param name="Id">The pool or reservation id.</param>
/// <param name="StoredMicros">The remainder (pool) or held/charged amount (reservation) stored on the row.</param>
/// <param name="LedgerMicros">The same figure as the ledger entries add up.</param>
public sealed record LedgerDrift(string Subject, Guid Id, string UserId, long StoredMicros, long LedgerMicros);
