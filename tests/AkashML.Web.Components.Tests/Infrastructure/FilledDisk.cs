using System.Globalization;
using Microsoft.Data.Sqlite;

namespace AkashML.Web.Components.Tests.Infrastructure;

/// <summary>
/// Fills a capped SQLite file to exactly its cap from a connection of the test's own, under the same
/// <c>max_page_count</c> (a file grown past a connection's cap would raise that connection's cap to the file's size):
/// rows of zeros take every free page and then new ones until none is left, so the host's writes that need a new page
/// fail with SQLITE_FULL, as on a full disk. Freeing drops them: their pages go to the free list and writes succeed again.
/// </summary>
public sealed class FilledDisk : IAsyncDisposable
{
    private const int SqliteFull = 13;
    private readonly SqliteConnection _connection;

    private FilledDisk(SqliteConnection connection) => _connection = connection;

    public static async Task<FilledDisk> FillAsync(string file, int maxPages)
    {
        var connection = new SqliteConnection($"Data Source={file};Pooling=false;Default Timeout=30");
        await connection.OpenAsync();
        var disk = new FilledDisk(connection);
        await disk.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"PRAGMA max_page_count={maxPages}; CREATE TABLE test_filler (b BLOB);"));

        // Halving the row until even a small one finds no room: big rows fill fast, small ones take the last pages.
        for (var bytes = 1 << 20; bytes >= 256;)
        {
            try
            {
                await disk.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"INSERT INTO test_filler VALUES (zeroblob({bytes}));"));
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteFull)
            {
                bytes /= 2;
            }
        }

        return disk;
    }

    public Task FreeAsync() => ExecuteAsync("DROP TABLE IF EXISTS test_filler;");

    /// <summary>Frees the space (if a failed test did not) and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await FreeAsync();
        await _connection.DisposeAsync();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
