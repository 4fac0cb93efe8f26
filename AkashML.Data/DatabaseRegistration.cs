using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AkashML.Data;

/// <summary>Which database the host talks to.</summary>
public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public static class DatabaseRegistration
{
    private static readonly SqliteTuning Tuning = new();

    /// <summary>
    /// Registers <see cref="AkashDbContext"/> (pooled): PostgreSQL when a connection string is given, otherwise a SQLite
    /// file at <paramref name="sqlitePath"/>; and the <see cref="SqliteWriteGate"/> its SQLite writers share.
    /// </summary>
    /// <param name="sqliteMaxPageCount">Caps the SQLite file at this many pages (writes beyond fail as on a full disk); null: no cap.</param>
    public static DatabaseProvider AddAkashMLData(this IServiceCollection services, string? postgresConnectionString, string sqlitePath, int? sqliteMaxPageCount = null)
    {
        services.TryAddSingleton<SqliteWriteGate>();
        // Pooled: every API request uses a context or two (key lookup, credit hold and settlement); building one from
        // scratch (options, services, change tracker) costs more than the queries it runs.
        if (!string.IsNullOrWhiteSpace(postgresConnectionString))
        {
            services.AddDbContextPool<AkashDbContext, PostgresAkashDbContext>(o => o.UseNpgsql(postgresConnectionString));
            return DatabaseProvider.Postgres;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(sqlitePath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // Busy timeout: concurrent writers in one process wait instead of failing with "database is locked".
        services.AddDbContextPool<AkashDbContext, SqliteAkashDbContext>(o => o
            .UseSqlite($"Data Source={sqlitePath};Default Timeout=30")
            .AddInterceptors(sqliteMaxPageCount is null ? Tuning : new SqliteTuning(sqliteMaxPageCount)));
        return DatabaseProvider.Sqlite;
    }
}
