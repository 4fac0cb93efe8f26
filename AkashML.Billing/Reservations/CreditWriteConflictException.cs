namespace AkashML.Billing.Reservations;

/// <summary>
/// A guarded credit write changed no row: what the operation read changed before it wrote (or, on SQLite, never
/// existed), so it kept nothing and may be computed again from a fresh read.
/// </summary>
internal sealed class CreditWriteConflictException(Exception? inner = null)
    : InvalidOperationException("A credit update wrote no row; nothing was changed.", inner);
