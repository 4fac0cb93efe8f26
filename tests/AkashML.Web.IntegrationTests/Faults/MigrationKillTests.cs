using System.Globalization;
using Microsoft.Data.Sqlite;
using AkashML.Web.IntegrationTests.Cli;
using AkashML.Web.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace AkashML.Web.IntegrationTests.Faults;

/// <summary>
/// <c>migrate</c> killed (SIGKILL) at points spread over its run: the next <c>migrate</c> completes, a third finds
/// nothing to do, and the database takes an account, whichever migration the kill interrupted.
/// </summary>
public sealed class MigrationKillTests(ITestOutputHelper output)
{
    // From before the process has opened the database to after it has finished, on this and the CI machine.
    private static readonly int[] KillAfterMilliseconds = [400, 800, 1200, 1700, 2500];

    [Theory, SqliteData, PostgresData]
    public async Task A_migration_killed_at_any_point_completes_on_the_next_run(DatabaseKind kind)
    {
        var killedMidway = 0;
        foreach (var delay in KillAfterMilliseconds)
        {
            await using var database = await TestDatabase.CreateAsync(kind);
            var environment = new Dictionary<string, string?> { ["ConnectionStrings__Postgres"] = database.ConnectionString ?? "" };

            var first = await HostCli.RunHostAsync(HostCli.HostDll, database.DataDirectory, environment, TimeSpan.FromMilliseconds(delay), "migrate");
            killedMidway += first.ExitCode == HostCli.KilledExitCode ? 1 : 0;
            var second = await HostCli.RunAsync(database.DataDirectory, environment, "migrate");
            Assert.True(second.ExitCode == 0, $"after a kill at {delay} ms: {second}");
            var third = await HostCli.RunAsync(database.DataDirectory, environment, "migrate");
            Assert.Contains("database is up to date", third.Stdout, StringComparison.Ordinal);
            var user = await HostCli.RunAsync(database.DataDirectory, environment, "users", "create", "--email", AccountFlows.NewEmail("migrated"), "--password", AccountFlows.GoodPassword);
            Assert.True(user.ExitCode == 0, $"after a kill at {delay} ms: {user}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind}: {killedMidway} of {KillAfterMilliseconds.Length} first runs were killed before they finished"));
        Assert.True(killedMidway > 0, "no run was killed: the delays no longer reach into the migration");
    }

    [Fact]
    public async Task A_lock_row_left_by_a_killed_sqlite_migrator_does_not_block_the_next_one()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var migrated = await HostCli.RunAsync(database.DataDirectory, "migrate");
        Assert.True(migrated.ExitCode == 0, migrated.ToString());

        // What EF Core's SQLite migrator leaves when it dies holding its lock: the row only its holder deletes.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(database.DataDirectory, "akashml.db")};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS "__EFMigrationsLock" ("Id" INTEGER NOT NULL PRIMARY KEY, "Timestamp" TEXT NOT NULL);
                INSERT INTO "__EFMigrationsLock" ("Id", "Timestamp") VALUES (1, '2026-01-01 00:00:00');
                """;
            await command.ExecuteNonQueryAsync();
        }

        var next = await HostCli.RunAsync(database.DataDirectory, "migrate");
        Assert.True(next.ExitCode == 0, $"a stale lock row blocked migrate: {next}");
        Assert.Contains("database is up to date", next.Stdout, StringComparison.Ordinal);
    }
}
