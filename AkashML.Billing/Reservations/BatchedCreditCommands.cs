using System.Data.Common;

namespace AkashML.Billing.Reservations;

/// <summary>
/// PostgreSQL: a read is one command of several queries run outside any transaction, and an operation's writes go in
/// one <see cref="DbBatch"/> that begins a transaction, locks the account row, writes and commits, so a hold or a
/// settlement takes two round trips and holds the account row only while the server runs the writes, never across a
/// round trip to this process. The connection comes from the pool per operation, so nothing is kept prepared.
/// </summary>
/// <remarks>
/// The writes are <see cref="CreditStatements"/>' guarded form, which fails (division by zero) when a write changes no
/// row because the read is out of date: the server then skips the rest of the batch, COMMIT included, disposing the
/// transaction rolls it back, and the caller reads again (<see cref="CreditWriteConflictException"/>).
/// </remarks>
internal sealed class BatchedCreditCommands(DbConnection connection, DateTimeOffset now) : CreditCommands(now)
{
    private const string DivisionByZero = "22012";

    public override async Task<DbDataReader> QueryAsync(Statement statement, object?[] values, CancellationToken cancellationToken)
    {
        // Not disposed here: the reader still reads through it, and an unprepared command holds nothing to release.
        var command = connection.CreateCommand();
        command.CommandText = statement.Text;
        Bind(statement, values, command, command.Parameters);
        return await command.ExecuteReaderAsync(cancellationToken);
    }

    public override async Task WriteAsync(IReadOnlyList<(Statement Statement, object?[] Values)> writes, CancellationToken cancellationToken)
    {
        // Npgsql sends BEGIN with the batch: no round trip of its own.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;

        // Parameters come from the column's EF type mapping, which makes them through a command.
        await using var factory = connection.CreateCommand();
        foreach (var (statement, values) in writes)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement.Text;
            Bind(statement, values, factory, command.Parameters);
            batch.BatchCommands.Add(command);
        }

        var commit = batch.CreateBatchCommand();
        commit.CommandText = "COMMIT";
        batch.BatchCommands.Add(commit);
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (DbException ex) when (ex.SqlState == DivisionByZero)
        {
            throw new CreditWriteConflictException(ex);
        }
    }

    private static void Bind(Statement statement, object?[] values, DbCommand factory, DbParameterCollection parameters)
    {
        for (var i = 0; i < values.Length; i++)
        {
            parameters.Add(statement.Parameters[i].CreateParameter(factory, statement.ParameterNames[i], values[i]));
        }
    }
}
