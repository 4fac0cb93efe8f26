using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

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
    /// The operator's PostgreSQL connection string with per-request costs taken out where it leaves them at Npgsql's
    /// defaults: no session reset when a connection returns to the pool (nothing here changes session state, and the
    /// reset would also drop prepared statements), and the statements every request runs prepared after their second use.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        // NpgsqlConnectionStringBuilder.ContainsKey answers for every keyword it knows, so look at what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()).ToHashSet();
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!written.Contains("NORESETONCLOSE"))
        {
            builder.NoResetOnClose = true;
        }

        if (!written.Contains("MAXAUTOPREPARE"))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        return builder.ConnectionString;
    }

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
            services.AddDbContextPool<AkashDbContext, PostgresAkashDbContext>(o => o.UseNpgsql(Tuned(postgresConnectionString)));
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
