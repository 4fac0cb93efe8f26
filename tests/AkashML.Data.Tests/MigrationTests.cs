using AkashML.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AkashML.Data.Tests;

public sealed class MigrationTests
{
    [Fact]
    public void Sqlite_migrations_match_the_model()
    {
        using var db = new SqliteDesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "the SQLite migration set is behind the model: add a migration");
    }

    [Fact]
    public void Postgres_migrations_match_the_model()
    {
        using var db = new PostgresDesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "the PostgreSQL migration set is behind the model: add a migration");
    }

    [Fact]
    public async Task Sqlite_migrations_apply_to_an_empty_database()
    {
        var path = Path.Combine(Path.GetTempPath(), $"akashml-migrate-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = SqliteDesignTimeFactory.Create($"Data Source={path};Pooling=false");
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(0, await db.Users.CountAsync());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [PostgresFact]
    public async Task Postgres_migrations_apply_to_an_empty_database()
    {
        var server = PostgresFactAttribute.ConnectionString!;
        var name = $"akashml_migrate_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false };
            await using var db = PostgresDesignTimeFactory.Create(builder.ConnectionString);
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(0, await db.Users.CountAsync());
        }
        finally
        {
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
