using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Data;

/// <summary>
/// Serialises SQLite migrations between AkashML processes with an operating-system file lock beside the database, and
/// clears EF Core's <c>__EFMigrationsLock</c> row left by a migrator that was killed. EF Core's SQLite lock is a table row
/// that only its holder deletes, so a process killed mid-migration would make every later migration wait forever; the
/// file lock, which the kernel drops with its process, tells a stale row from a live one.
/// </summary>
public sealed class SqliteMigrationLock : IAsyncDisposable
{
    private const string ClearEfLock = """DELETE FROM "__EFMigrationsLock" """;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly FileStream _lockFile;

    private SqliteMigrationLock(FileStream lockFile) => _lockFile = lockFile;

    /// <summary>
    /// Waits (up to <paramref name="timeout"/>) until no other AkashML process migrates <paramref name="db"/>'s file,
    /// then removes a stale EF Core lock row. Returns null for a database without a file (in memory).
    /// </summary>
    public static async Task<SqliteMigrationLock?> AcquireAsync(DbContext db, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var dataSource = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            return null;
        }

        var path = Path.GetFullPath(dataSource) + ".migrating";
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Unix and a share lock on Windows.
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                var held = new SqliteMigrationLock(stream);
                if (File.Exists(dataSource))
                {
                    // Only an existing file can hold a stale row; opening a missing one here would create it untuned.
                    await held.ClearStaleEfLockAsync(db, cancellationToken);
                }

                return held;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(RetryDelay, cancellationToken);
            }
            catch (IOException e)
            {
                throw new TimeoutException($"another process has been migrating '{dataSource}' for over {timeout.TotalSeconds:0} s", e);
            }
        }
    }

    private async Task ClearStaleEfLockAsync(DbContext db, CancellationToken cancellationToken)
    {
        try
        {
            // Nobody else holds the file lock, so a row in EF Core's lock table belongs to a process that died. Straight
            // through the connection: a database never migrated has no lock table, and EF Core would log that as an error.
            var connection = db.Database.GetDbConnection();
            var opened = connection.State != System.Data.ConnectionState.Open;
            if (opened)
            {
                await connection.OpenAsync(cancellationToken);
            }

            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = ClearEfLock;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            finally
            {
                if (opened)
                {
                    await connection.CloseAsync();
                }
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1 && e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            // SQLITE_ERROR "no such table": a database EF Core has never migrated has no lock table.
        }
        catch
        {
            await _lockFile.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _lockFile.DisposeAsync();
}
