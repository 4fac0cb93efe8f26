using System.Net;
using AkashML.Data;
using AkashML.Web.Hosting;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests;

/// <summary>The host migrates an empty database of each kind at start and is then ready.</summary>
public sealed class MigrationTests
{
    [Theory, SqliteData, PostgresData]
    public async Task Host_start_applies_every_migration_to_an_empty_database(DatabaseKind kind)
    {
        await using var host = await AkashWebHost.StartAsync(kind);

        var (applied, all, pending, users, provider) = await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<AkashDbContext>();
            return (
                (await db.Database.GetAppliedMigrationsAsync()).ToList(),
                db.Database.GetMigrations().ToList(),
                (await db.Database.GetPendingMigrationsAsync()).ToList(),
                await db.Users.CountAsync(),
                db.Database.ProviderName);
        });

        Assert.NotEmpty(all);
        Assert.Equal(all, applied);
        Assert.Empty(pending);
        Assert.Equal(0, users);
        Assert.Contains(kind == DatabaseKind.Sqlite ? "Sqlite" : "Npgsql", provider, StringComparison.Ordinal);
        if (kind == DatabaseKind.Sqlite)
        {
            Assert.True(File.Exists(Path.Combine(host.Database.DataDirectory, "akashml.db")), "the SQLite file lives in the data directory");
        }

        // Migrating again (the `migrate` verb) finds nothing to do.
        Assert.Empty(await DatabaseMigrator.MigrateAsync(host.Services, CancellationToken.None));

        using var client = host.CreateClient();
        var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
