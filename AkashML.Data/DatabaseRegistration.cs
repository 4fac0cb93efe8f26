using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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
    /// Registers <see cref="AkashDbContext"/>: PostgreSQL when a connection string is given, otherwise a SQLite
    /// file at <paramref name="sqlitePath"/>.
    /// </summary>
    public static DatabaseProvider AddAkashMLData(this IServiceCollection services, string? postgresConnectionString, string sqlitePath)
    {
        if (!string.IsNullOrWhiteSpace(postgresConnectionString))
        {
            services.AddDbContext<AkashDbContext, PostgresAkashDbContext>(o => o.UseNpgsql(postgresConnectionString));
            return DatabaseProvider.Postgres;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(sqlitePath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // Busy timeout: concurrent writers in one process wait instead of failing with "database is locked".
        services.AddDbContext<AkashDbContext, SqliteAkashDbContext>(o => o
            .UseSqlite($"Data Source={sqlitePath};Default Timeout=30")
            .AddInterceptors(Tuning));
        return DatabaseProvider.Sqlite;
    }
}
