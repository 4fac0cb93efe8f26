using System.Data.Common;

namespace AkashML.Billing.Reservations;

/// <summary>
/// Runs the statements of one credit operation in the way that is cheap for the provider: prepared commands kept with
/// the connection inside the group commit's transaction on SQLite (<see cref="PreparedCreditCommands"/>); on PostgreSQL
/// one round trip for the reads and the writes in the next group transaction (<see cref="BatchedCreditCommands"/>).
/// </summary>
internal abstract class CreditCommands(DateTimeOffset now)
{
    /// <summary>The instant the operation runs at: one for all it writes.</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary>Runs <paramref name="statement"/> and reads its result sets; the caller disposes the reader before its next statement.</summary>
    public abstract Task<DbDataReader> QueryAsync(Statement statement, object?[] values, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the writes in order, each of which must change exactly one row: if one does not, it throws
    /// <see cref="CreditWriteConflictException"/> and the operation keeps nothing. PostgreSQL commits with them.
    /// </summary>
    public abstract Task WriteAsync(IReadOnlyList<(Statement Statement, object?[] Values)> writes, CancellationToken cancellationToken);
}
