using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Data;

/// <summary>Lets <c>dotnet ef</c> build the PostgreSQL context without starting the host.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAkashDbContext>
{
    public PostgresAkashDbContext CreateDbContext(string[] args) => Create("Host=localhost;Database=akashml_design");

    /// <summary>A context outside dependency injection (tools, tests) with the host's Identity store settings.</summary>
    public static PostgresAkashDbContext Create(string connectionString) =>
        new(new DbContextOptionsBuilder<PostgresAkashDbContext>()
            .UseNpgsql(connectionString)
            .UseApplicationServiceProvider(IdentityStoreSettings.StandaloneServices)
            .Options);
}

/// <summary>Lets <c>dotnet ef</c> build the SQLite context without starting the host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAkashDbContext>
{
    public SqliteAkashDbContext CreateDbContext(string[] args) => Create("Data Source=design.db");

    /// <summary>A context outside dependency injection (tools, tests) with the host's Identity store settings.</summary>
    public static SqliteAkashDbContext Create(string connectionString) =>
        new(new DbContextOptionsBuilder<SqliteAkashDbContext>()
            .UseSqlite(connectionString)
            .UseApplicationServiceProvider(IdentityStoreSettings.StandaloneServices)
            .Options);
}

/// <summary>The Identity store settings the host uses, shared with tools so the model (and migrations) match.</summary>
public static class IdentityStoreSettings
{
    /// <summary>Schema version 3 includes passkeys.</summary>
    public static readonly Version SchemaVersion = IdentitySchemaVersions.Version3;

    internal static IServiceProvider StandaloneServices { get; } = new ServiceCollection()
        .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = SchemaVersion)
        .BuildServiceProvider();
}
