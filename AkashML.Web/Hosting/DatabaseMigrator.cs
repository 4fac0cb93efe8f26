using AkashML.Data;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Hosting;

/// <summary>Applies pending migrations of whichever provider the host is configured for.</summary>
public static class DatabaseMigrator
{
    /// <summary>How long a SQLite migration waits for another process's migration of the same file.</summary>
    private static readonly TimeSpan MigrationWait = TimeSpan.FromMinutes(2);

    public static async Task<IReadOnlyList<string>> MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await using var migrationLock = db.Database.IsSqlite()
            ? await SqliteMigrationLock.AcquireAsync(db, MigrationWait, cancellationToken)
            : null;
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(() => db.Database.MigrateAsync(cancellationToken));
        return pending;
    }
}
