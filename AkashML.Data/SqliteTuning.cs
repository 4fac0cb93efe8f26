using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AkashML.Data;

/// <summary>
/// Makes the embedded SQLite database fit for a server: write-ahead logging (readers never wait for the writer) and
/// NORMAL synchronisation (in WAL mode a commit survives a process crash; only an OS crash can lose the last commits).
/// </summary>
/// <remarks>
/// The settings belong to the native connection, which the connection pool keeps open between uses, so each native
/// connection is tuned once rather than on every open (three statements saved on every request's billing work).
/// </remarks>
internal sealed class SqliteTuning : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";

    private static readonly ConditionalWeakTable<object, object> Tuned = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NativeHandle(connection) is { } handle && Tuned.TryGetValue(handle, out _))
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        Remember(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NativeHandle(connection) is { } handle && Tuned.TryGetValue(handle, out _))
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Remember(connection);
    }

    private static object? NativeHandle(DbConnection connection) => (connection as SqliteConnection)?.Handle;

    private static void Remember(DbConnection connection)
    {
        if (NativeHandle(connection) is { } handle)
        {
            Tuned.AddOrUpdate(handle, handle);
        }
    }
}
