using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AkashML.Data;

/// <summary>
/// Makes the embedded SQLite database fit for a server: write-ahead logging (readers never wait for the writer) and
/// NORMAL synchronisation (in WAL mode a commit survives a process crash; only an OS crash can lose the last commits).
/// </summary>
internal sealed class SqliteTuning : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }
}
