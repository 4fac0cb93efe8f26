using System.Data.Common;
using System.Globalization;
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
/// A <c>max_page_count</c>, when configured, caps the file's size per connection: SQLite then answers writes that
/// would grow it with SQLITE_FULL, as on a full disk (a guard for operators and the disk-full tests).
/// </remarks>
internal sealed class SqliteTuning(int? maxPageCount = null) : DbConnectionInterceptor
{
    private static readonly ConditionalWeakTable<object, object> Tuned = [];

    private readonly string _pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
        + (maxPageCount is { } pages ? string.Create(CultureInfo.InvariantCulture, $" PRAGMA max_page_count={pages};") : "");

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NativeHandle(connection) is { } handle && Tuned.TryGetValue(handle, out _))
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
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
        command.CommandText = _pragmas;
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
