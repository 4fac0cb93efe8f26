using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Data;

/// <summary>Lets <c>dotnet ef</c> build each provider's context without starting the host.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAkashDbContext>
{
    public PostgresAkashDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAkashDbContext>()
            .UseNpgsql("Host=localhost;Database=akashml_design")
            .UseApplicationServiceProvider(IdentityStoreSettings.DesignTimeServices)
            .Options);
}

/// <summary>Lets <c>dotnet ef</c> build the SQLite context without starting the host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAkashDbContext>
{
    public SqliteAkashDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteAkashDbContext>()
            .UseSqlite("Data Source=design.db")
            .UseApplicationServiceProvider(IdentityStoreSettings.DesignTimeServices)
            .Options);
}

/// <summary>The Identity store settings the host uses, shared with design time so migrations match.</summary>
public static class IdentityStoreSettings
{
    /// <summary>Schema version 3 includes passkeys.</summary>
    public static readonly Version SchemaVersion = IdentitySchemaVersions.Version3;

    internal static IServiceProvider DesignTimeServices { get; } = new ServiceCollection()
        .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = SchemaVersion)
        .BuildServiceProvider();
}
