using System.Globalization;
using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Usage;
using AkashML.Web.Inferences;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Usage;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AkashML.Web.IntegrationTests.Api;

public sealed class UsageWriterTests
{
    [Fact]
    public async Task Stopping_writes_every_queued_record_and_a_record_handed_over_later_is_written_at_once()
    {
        var path = Path.Combine(Path.GetTempPath(), $"akashml-usage-{Guid.NewGuid():N}.db");
        var services = new ServiceCollection();
        services.AddAkashMLData(null, path);
        services.AddMemoryCache();
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<InferenceRetentionSettings>();

        // As the host configures Identity: its schema version shapes the model, which EF shares across hosts in a process.
        services.Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentityStoreSettings.SchemaVersion);
        await using var provider = services.BuildServiceProvider();
        try
        {
            await using (var scope = provider.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<AkashDbContext>().Database.EnsureCreatedAsync();
            }

            using var gate = new SqliteWriteGate();
            var log = new ErrorLog();
            var writer = new UsageWriter(provider.GetRequiredService<IServiceScopeFactory>(), gate, Options.Create(new InferenceRetentionOptions()), log);
            await writer.StartAsync(CancellationToken.None);
            const int Count = 1_200;
            await Task.WhenAll(Enumerable.Range(0, Count).Select(i => writer.EnqueueAsync(Record($"inf-queued-{i}")).AsTask()));
            await writer.StopAsync(CancellationToken.None);
            Assert.Empty(log.Errors);
            Assert.Equal(Count, await CountAsync(provider, "inf-queued-"));

            await writer.EnqueueAsync(Record("inf-late"));
            Assert.Equal(1, await CountAsync(provider, "inf-late"));
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

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task A_flush_writes_every_queued_record_with_rollups_equal_to_the_records_and_payloads_only_where_retention_is_on(DatabaseKind kind)
    {
        await using var host = await AkashWebHost.StartAsync(kind);
        var keeping = await NewUserAsync(host, "keeps");
        var plain = await NewUserAsync(host, "plain");
        await host.WithServicesAsync(async sp =>
        {
            await sp.GetRequiredService<InferenceRetentionSettings>().SetAsync(keeping, 2, CancellationToken.None);
            return 0;
        });

        // More than one batch, spread over users, keys, models, statuses, hours and a day boundary; some without a user.
        const int Count = UsageWriter.MaxBatch * 2 + 137;
        var keys = new[] { (Guid?)null, Guid.NewGuid(), Guid.NewGuid() };
        var start = new DateTimeOffset(2026, 5, 6, 21, 30, 0, TimeSpan.Zero);
        var records = Enumerable.Range(0, Count).Select(i => new UsageRecord
        {
            InferenceId = "inf-flush-" + i.ToString(CultureInfo.InvariantCulture) + "-" + kind,
            UserId = (i % 7) switch { 0 => null, 1 or 2 or 3 => keeping, _ => plain },
            ApiKeyId = keys[i % keys.Length],
            Model = i % 5 == 0 ? "m/other" : "m/main",
            Surface = "openai",
            PromptTokens = 1 + (i % 11),
            CachedPromptTokens = i % 4 == 0 ? i % 11 : 0,
            CompletionTokens = i % 13,
            CostMicros = 3 + (i % 17),
            Status = i % 9 == 0 ? "error" : "ok",
            HttpStatus = i % 9 == 0 ? 500 : 200,
            CreatedAt = start.AddSeconds(i * 17),
        }).ToList();
        var writer = host.Services.GetRequiredService<UsageWriter>();
        await Task.WhenAll(records.Select((r, i) => writer.EnqueueAsync(r, new JsonObject { ["prompt"] = "kept " + i.ToString(CultureInfo.InvariantCulture) }, "out " + i.ToString(CultureInfo.InvariantCulture)).AsTask()));
        await writer.FlushAsync(CancellationToken.None);

        var (stored, rollups, payloads) = await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<AkashDbContext>();
            return (await db.UsageRecords.AsNoTracking().Where(u => u.InferenceId.StartsWith("inf-flush-")).ToListAsync(),
                await db.UsageRollups.AsNoTracking().Where(r => r.UserId == keeping || r.UserId == plain).ToListAsync(),
                await db.InferencePayloads.AsNoTracking().Where(p => p.InferenceId.StartsWith("inf-flush-")).ToListAsync());
        });
        Assert.Equal(Count, stored.Count);
        Assert.Equal(Count, stored.Select(r => r.InferenceId).Distinct().Count());
        foreach (var granularity in new[] { UsageGranularity.Hour, UsageGranularity.Day })
        {
            var expected = stored.Where(r => r.UserId is not null)
                .GroupBy(r => (r.UserId, Key: r.ApiKeyId ?? Guid.Empty, r.Model, Bucket: UsageRollup.BucketOf(r.CreatedAt, granularity).UtcTicks))
                .Select(g => (g.Key, Sums: (Requests: (long)g.Count(), Errors: (long)g.Count(r => r.Status != "ok"), Prompt: g.Sum(r => (long)r.PromptTokens),
                    Completion: g.Sum(r => (long)r.CompletionTokens), Cost: g.Sum(r => r.CostMicros), Cached: g.Sum(r => (long)r.CachedPromptTokens))))
                .OrderBy(e => e.Key.ToString(), StringComparer.Ordinal).ToList();
            var actual = rollups.Where(r => r.Granularity == granularity)
                .Select(r => (Key: ((string?)r.UserId, r.ApiKeyId, r.Model, r.BucketStart.UtcTicks), Sums: (r.Requests, r.Errors, Prompt: r.PromptTokens, Completion: r.CompletionTokens, Cost: r.CostMicros, Cached: r.CachedPromptTokens)))
                .OrderBy(a => a.Key.ToString(), StringComparer.Ordinal).ToList();
            Assert.Equal(expected, actual);
        }

        Assert.Equal(2, rollups.Where(r => r.Granularity == UsageGranularity.Day).Select(r => r.BucketStart).Distinct().Count());
        Assert.Equal(stored.Where(r => r.UserId is not null).Sum(r => (long)r.CachedPromptTokens), rollups.Where(r => r.Granularity == UsageGranularity.Day).Sum(r => r.CachedPromptTokens));
        Assert.True(rollups.Sum(r => r.CachedPromptTokens) > 0);
        var keptIds = stored.Where(r => r.UserId == keeping).Select(r => r.InferenceId).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(keptIds, payloads.Select(p => p.InferenceId).Order(StringComparer.Ordinal).ToList());
        Assert.All(payloads, p =>
        {
            Assert.Equal(keeping, p.UserId);
            Assert.StartsWith("{\"prompt\":\"kept ", p.RequestJson, StringComparison.Ordinal);
            Assert.StartsWith("out ", p.OutputText, StringComparison.Ordinal);
            Assert.Equal(2, (p.ExpiresAt - p.CreatedAt).TotalDays, precision: 6);
        });
    }

    private static async Task<string> NewUserAsync(AkashWebHost host, string label)
    {
        var email = AccountFlows.NewEmail(label);
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        return (await host.FindUserAsync(email))!.Id;
    }

    /// <summary>Keeps what the writer logs as errors, so a failed batch shows its cause.</summary>
    private sealed class ErrorLog : ILogger<UsageWriter>
    {
        public List<string> Errors { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Errors)
            {
                Errors.Add(formatter(state, exception) + ": " + exception);
            }
        }
    }

    private static UsageRecord Record(string inferenceId) => new()
    {
        InferenceId = inferenceId,
        Model = "akashml/tiny-random",
        Surface = "openai",
        PromptTokens = 3,
        CompletionTokens = 1,
        Status = "ok",
        HttpStatus = 200,
    };

    private static async Task<int> CountAsync(IServiceProvider provider, string prefix)
    {
        await using var scope = provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AkashDbContext>().UsageRecords.CountAsync(u => u.InferenceId.StartsWith(prefix));
    }
}
