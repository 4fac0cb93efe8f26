using System.Globalization;
using Npgsql;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>
/// A fresh, empty database of one kind plus a temporary data directory, deleted (or dropped) on dispose. The settings
/// it exposes point a host at it.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _postgresAdmin;

    private TestDatabase(DatabaseKind kind, string dataDirectory, string? postgresAdmin, string? databaseName, string? connectionString)
    {
        Kind = kind;
        DataDirectory = dataDirectory;
        _postgresAdmin = postgresAdmin;
        DatabaseName = databaseName;
        ConnectionString = connectionString;
    }

    public DatabaseKind Kind { get; }

    /// <summary>The host's <c>AkashML:DataDirectory</c> (holds the SQLite file for <see cref="DatabaseKind.Sqlite"/>).</summary>
    public string DataDirectory { get; }

    /// <summary>The PostgreSQL database created for this instance.</summary>
    public string? DatabaseName { get; }

    /// <summary>The PostgreSQL connection string the host uses; null for SQLite.</summary>
    public string? ConnectionString { get; }

    /// <summary>Configuration that points a host at this database.</summary>
    public IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>
        {
            ["AkashML:DataDirectory"] = DataDirectory,
            ["ConnectionStrings:Postgres"] = ConnectionString ?? "",
        };

    public static async Task<TestDatabase> CreateAsync(DatabaseKind kind, CancellationToken cancellationToken = default)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "akashml-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        if (kind == DatabaseKind.Sqlite)
        {
            return new TestDatabase(kind, dataDirectory, null, null, null);
        }

        var admin = PostgresEnvironment.RequireConnectionString();
        var name = "akashml_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new TestDatabase(kind, dataDirectory, admin, name, connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresAdmin is not null && DatabaseName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_postgresAdmin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand(
                string.Create(CultureInfo.InvariantCulture, $"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)"),
                connection);
            await drop.ExecuteNonQueryAsync();
        }

        // SQLite may still hold the file briefly after the host stops; clearing its pools releases it.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; the OS cleans the temp directory.
        }
    }
}
