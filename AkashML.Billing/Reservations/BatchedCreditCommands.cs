using System.Data.Common;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AkashML.Billing.Reservations;

/// <summary>
/// PostgreSQL: a read is one command of several queries run outside any transaction, on the request's connection
/// (opened only when an operation reads: a hold standing on a <see cref="CreditSnapshots"/> entry does not), and an
/// operation's writes go to the <see cref="PostgresGroupCommit"/>, which locks the account row and commits them with
/// other operations' in one round trip, so the row is never held across a round trip to this process.
/// </summary>
/// <remarks>
/// The writes are <see cref="CreditStatements"/>' guarded form, which fails (division by zero) when a write changes no
/// row because the read is out of date: the operation then keeps nothing and the caller reads again
/// (<see cref="CreditWriteConflictException"/>).
/// </remarks>
internal sealed class BatchedCreditCommands(DatabaseFacade database, PostgresGroupCommit group, Statement lockAccount, string userId, DateTimeOffset now)
    : CreditCommands(now)
{
    public override async Task<DbDataReader> QueryAsync(Statement statement, object?[] values, CancellationToken cancellationToken)
    {
        // Opened here and closed before the writes, or when the operation ends (DirectReservations).
        var connection = database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await database.OpenConnectionAsync(cancellationToken);
        }

        // Not disposed here: the reader still reads through it, and an unprepared command holds nothing to release.
        var command = connection.CreateCommand();
        command.CommandText = statement.Text;
        statement.Bind(command, command.Parameters, values);
        return await command.ExecuteReaderAsync(cancellationToken);
    }

    public override async Task WriteAsync(IReadOnlyList<(Statement Statement, object?[] Values)> writes, CancellationToken cancellationToken)
    {
        // The read is done: its connection goes back to the pool before the operation waits for the group writer, which
        // needs a connection of the same pool (holding both exhausted the pool under 200 parallel holds).
        await database.CloseConnectionAsync();
        await group.WriteAsync(lockAccount, userId, writes, cancellationToken);
    }
}
