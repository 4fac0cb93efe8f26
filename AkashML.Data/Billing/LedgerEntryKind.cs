namespace AkashML.Data.Billing;

/// <summary>What a ledger entry records. Signs: grant and release are positive; the others negative.</summary>
public enum LedgerEntryKind
{
    Grant,
    Reservation,
    Settlement,
    Release,
    Expiry,
    Refund,
}
