using System.Data.Common;

namespace AkashML.Billing.Reservations;

/// <summary>
/// Runs the statements of one credit operation inside its transaction, in the way that is cheap for the provider:
/// prepared commands kept with the connection on SQLite (<see cref="PreparedCreditCommands"/>), one round trip per
/// read or per set of writes on PostgreSQL (<see cref="BatchedCreditCommands"/>).
/// </summary>
internal abstract class CreditCommands(DbTransaction transaction, DateTimeOffset now)
{
    public DbTransaction Transaction { get; } = transaction;

    /// <summary>The instant the operation runs at: one for all it writes.</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary>Runs <paramref name="statement"/> and reads its result sets; the caller disposes the reader before its next statement.</summary>
    public abstract Task<DbDataReader> QueryAsync(Statement statement, object?[] values, CancellationToken cancellationToken);

    /// <summary>True once <see cref="WriteAsync"/> committed the transaction itself.</summary>
    public bool Committed { get; protected set; }

    /// <summary>
    /// Runs the writes in order, each of which must change exactly one row: if one does not, it throws and the operation
    /// keeps nothing. Where that saves a round trip (PostgreSQL) the transaction commits with them (<see cref="Committed"/>).
    /// </summary>
    public abstract Task WriteAsync(IReadOnlyList<(Statement Statement, object?[] Values)> writes, CancellationToken cancellationToken);
}
