using Microsoft.Data.Sqlite;

namespace AkashML.Data;

/// <summary>
/// SQLite's online backup: a consistent copy of a live database file, taken page by page while the host keeps
/// serving (writers are not stopped; the copy is one point in time).
/// </summary>
public static class SqliteOnlineBackup
{
    public static void Copy(string databasePath, string destinationPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        using var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destinationPath, Pooling = false }.ConnectionString);
        source.Open();
        source.BackupDatabase(destination);
    }
}
