using Microsoft.Data.Sqlite;
using Npgsql;

namespace AkashML.Billing.Tests.Infrastructure;

/// <summary>
/// One fresh database per provider for a test class (created on first use, dropped at the end). Tests in a class
/// share it and keep apart by using their own users.
/// </summary>
public sealed class TestDatabases : IAsyncLifetime
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, TestDatabase> _created = [];

    public static string? PostgresServer =>
        Environment.GetEnvironmentVariable("AKASHML_TEST_POSTGRES") is { Length: > 0 } value ? value : null;

    public async Task<TestDatabase> GetAsync(string provider)
    {
        await _gate.WaitAsync();
        try
        {
            if (_created.TryGetValue(provider, out var existing))
            {
                return existing;
            }

            TestDatabase database;
            if (provider == Sqlite)
            {
                database = new TestDatabase(null, Path.Combine(Path.GetTempPath(), $"akashml-billing-{Guid.NewGuid():N}.db"));
            }
            else
            {
                var server = PostgresServer ?? throw new InvalidOperationException("AKASHML_REQUIRE_POSTGRES=1 but AKASHML_TEST_POSTGRES is not set");
                var name = $"akashml_billing_{Guid.NewGuid():N}";
                await using (var admin = new NpgsqlConnection(server))
                {
                    await admin.OpenAsync();
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
                    await create.ExecuteNonQueryAsync();
                }

                database = new TestDatabase(new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString, null) { PostgresName = name };
            }

            _created[provider] = database;
            return database;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _created.Values)
        {
            if (database.SqlitePath is { } path)
            {
                SqliteConnection.ClearAllPools();
                foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                {
                    File.Delete(file);
                }
            }
            else if (database.PostgresName is { } name)
            {
                NpgsqlConnection.ClearAllPools();
                await using var admin = new NpgsqlConnection(PostgresServer);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }

        _gate.Dispose();
    }
}

/// <summary>A PostgreSQL connection string, or a SQLite file path.</summary>
public sealed record TestDatabase(string? PostgresConnectionString, string? SqlitePath)
{
    public string? PostgresName { get; init; }

    /// <summary>Set once the schema exists (created with EnsureCreated: migrations for the billing tables come at merge time).</summary>
    public bool SchemaCreated { get; set; }
}
