using AkashML.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Data.Tests;

public sealed class SqliteTuningTests
{
    [Fact]
    public async Task Every_open_connection_runs_in_wal_mode_with_normal_sync_and_a_busy_timeout_pooled_or_not()
    {
        var path = Path.Combine(Path.GetTempPath(), $"akashml-tuning-{Guid.NewGuid():N}.db");
        var services = new ServiceCollection();
        services.AddAkashMLData(null, path);
        await using var provider = services.BuildServiceProvider();
        try
        {
            // The second and third opens reuse the pooled native connection; the fourth gets a new one after the pool is cleared.
            for (var open = 0; open < 4; open++)
            {
                if (open == 3)
                {
                    SqliteConnection.ClearAllPools();
                }

                await using var scope = provider.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
                await db.Database.OpenConnectionAsync();
                Assert.Equal("wal", await PragmaAsync(db, "journal_mode"));
                Assert.Equal("1", await PragmaAsync(db, "synchronous"));
                Assert.Equal("30000", await PragmaAsync(db, "busy_timeout"));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    private static async Task<string> PragmaAsync(AkashDbContext db, string name)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA " + name;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
