using System.Data.Common;

namespace AkashML.Billing.Reservations;

/// <summary>
/// SQLite: each statement runs from a command prepared once for the connection and kept, with only its values bound
/// again, so an operation does not parse and prepare SQL text (in-process statements cost no round trip, so the writes
/// run one by one).
/// </summary>
internal sealed class PreparedCreditCommands(PreparedCommands prepared, DbTransaction transaction, DateTimeOffset now)
    : CreditCommands(now)
{
    public override Task<DbDataReader> QueryAsync(Statement statement, object?[] values, CancellationToken cancellationToken) =>
        prepared.Get(statement, transaction, values).ExecuteReaderAsync(cancellationToken);

    public override async Task WriteAsync(IReadOnlyList<(Statement Statement, object?[] Values)> writes, CancellationToken cancellationToken)
    {
        foreach (var (statement, values) in writes)
        {
            // The group commit rolls the operation back to its savepoint.
            var rows = await prepared.Get(statement, transaction, values).ExecuteNonQueryAsync(cancellationToken);
            if (rows != 1)
            {
                throw new CreditWriteConflictException();
            }
        }
    }
}
