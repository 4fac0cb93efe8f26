using System.Net;
using System.Net.Http.Headers;
using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AkashML.Web.IntegrationTests.Cli;

/// <summary>Backups that restore into a host whose balances and keys still work: SQLite online backup, PostgreSQL pg_dump/pg_restore.</summary>
public sealed class BackupRestoreTests
{
    private const long Grant = 7_250_000;

    [Fact]
    public async Task A_sqlite_backup_taken_while_serving_restores_balances_and_working_keys()
    {
        await using var original = await AkashWebHost.StartAsync(DatabaseKind.Sqlite);
        var (userId, key) = await SeedAsync(original);
        var backup = Path.Combine(Path.GetTempPath(), "akashml-backup-" + Guid.NewGuid().ToString("N"));
        var restored = Path.Combine(Path.GetTempPath(), "akashml-restored-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Online: the original host keeps serving while the copy is taken.
            var taken = await HostCli.RunAsync(original.Database.DataDirectory, "backup", "--to", backup);
            Assert.True(taken.ExitCode == 0, taken.ToString());
            Assert.True(File.Exists(Path.Combine(backup, "akashml.db")));
            Assert.True(File.Exists(Path.Combine(backup, ApiKeyHasher.PepperFile)));

            var back = await HostCli.RunAsync(restored, "restore", "--from", backup);
            Assert.True(back.ExitCode == 0, back.ToString());
            var again = await HostCli.RunAsync(restored, "restore", "--from", backup);
            Assert.Equal(2, again.ExitCode);
            Assert.Contains("--force", again.Stderr, StringComparison.Ordinal);

            await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["AkashML:DataDirectory"] = restored });
            await AssertServesAsync(host, userId, key);
        }
        finally
        {
            Directory.Delete(backup, recursive: true);
            Directory.Delete(restored, recursive: true);
        }
    }

    [ThrowawayPostgresFact]
    public async Task A_postgres_dump_restored_into_a_new_database_keeps_balances_and_working_keys()
    {
        var pepper = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        var settings = new Dictionary<string, string?> { ["Keys:Pepper"] = pepper };
        await using var original = await AkashWebHost.StartAsync(DatabaseKind.Postgres, settings);
        var (userId, key) = await SeedAsync(original);
        var dump = Path.Combine(Path.GetTempPath(), "akashml-" + Guid.NewGuid().ToString("N") + ".dump");
        var admin = PostgresEnvironment.RequireConnectionString();
        var copy = "akashml_restored_" + Guid.NewGuid().ToString("N");
        try
        {
            await ThrowawayPostgres.RunToolAsync("pg_dump", ["--format=custom", "--file=" + dump, Libpq(original.Database.ConnectionString!, null)]);
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{copy}\"", connection);
                await create.ExecuteNonQueryAsync();
            }

            await ThrowawayPostgres.RunToolAsync("pg_restore", ["--no-owner", "--dbname=" + Libpq(admin, copy), dump]);
            settings["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(admin) { Database = copy }.ConnectionString;
            await using var host = await AkashWebHost.StartAsync(DatabaseKind.Postgres, settings);
            await AssertServesAsync(host, userId, key);
        }
        finally
        {
            File.Delete(dump);
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{copy}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static Task<(string UserId, string Key)> SeedAsync(AkashWebHost host) => host.WithServicesAsync(async services =>
    {
        var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(AccountFlows.NewEmail("backup"), AccountFlows.GoodPassword, admin: false);
        await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, Grant, null, "backup test", null, CancellationToken.None);
        return (user.Id, (await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "backed-up", ApiKeyLimits.None, CancellationToken.None)).Secret);
    });

    private static async Task AssertServesAsync(AkashWebHost host, string userId, string key)
    {
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var models = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        var balance = await host.WithServicesAsync(services => services.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, CancellationToken.None));
        Assert.Equal(Grant, balance.UsableMicros);
    }

    /// <summary>A libpq connection string (what pg_dump and pg_restore take) for an Npgsql one.</summary>
    private static string Libpq(string npgsql, string? database)
    {
        var builder = new NpgsqlConnectionStringBuilder(npgsql);
        return $"host={builder.Host} port={builder.Port} user={builder.Username} dbname={database ?? builder.Database}";
    }
}
