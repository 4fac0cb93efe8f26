using System.Data.Common;

namespace AkashML.Billing.Reservations;

/// <summary>
/// PostgreSQL: a read is one command of several queries, and an operation's writes go in one <see cref="DbBatch"/>, so
/// each is one round trip (the connection comes from the pool per operation, so nothing is kept prepared).
/// </summary>
internal sealed class BatchedCreditCommands(DbConnection connection, DbTransaction transaction, DateTimeOffset now)
    : CreditCommands(transaction, now)
{
    public override async Task<DbDataReader> QueryAsync(Statement statement, object?[] values, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = statement.Text;
        Bind(statement, values, command, command.Parameters);
        return await command.ExecuteReaderAsync(cancellationToken);
    }

    public override async Task<int> ExecuteAsync(IReadOnlyList<(Statement Statement, object?[] Values)> writes, CancellationToken cancellationToken)
    {
        await using var batch = connection.CreateBatch();
        batch.Transaction = Transaction;

        // Parameters come from the column's EF type mapping, which makes them through a command.
        await using var factory = connection.CreateCommand();
        foreach (var (statement, values) in writes)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement.Text;
            Bind(statement, values, factory, command.Parameters);
            batch.BatchCommands.Add(command);
        }

        return await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Bind(Statement statement, object?[] values, DbCommand factory, DbParameterCollection parameters)
    {
        for (var i = 0; i < values.Length; i++)
        {
            parameters.Add(statement.Parameters[i].CreateParameter(factory, statement.ParameterNames[i], values[i]));
        }
    }
}
