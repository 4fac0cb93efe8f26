using System.Globalization;
using AkashML.Data;
using AkashML.Data.Usage;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Usage;

/// <summary>The rollup upsert on both databases: concurrent settlements of one bucket never lose an increment.</summary>
public sealed class RollupConcurrencyTests
{
    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Concurrent_settlements_never_lose_a_rollup_increment(DatabaseKind kind)
    {
        await using var host = await AkashWebHost.StartAsync(kind);
        var email = AccountFlows.NewEmail("race");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;
        const int Count = 24;
        var key = Guid.NewGuid();
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => Task.Run(() => host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<AkashDbContext>();
            var record = new UsageRecord
            {
                InferenceId = "inf-race-" + i.ToString(CultureInfo.InvariantCulture),
                UserId = userId,
                ApiKeyId = i % 2 == 0 ? key : null,
                Model = "m/race",
                Surface = "openai",
                PromptTokens = 3,
                CompletionTokens = 2,
                CostMicros = 11,
                Status = i % 4 == 0 ? "error" : "ok",
                CreatedAt = at.AddMinutes(i * 5),
            };
            await UsageRollupWriter.AddAsync(db, record, CancellationToken.None);
            return 0;
        }))));

        var rollups = await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRollups.AsNoTracking().Where(r => r.UserId == userId).ToListAsync());
        var days = rollups.Where(r => r.Granularity == UsageGranularity.Day).OrderBy(r => r.ApiKeyId).ToList();
        Assert.Equal(2, days.Count);
        var keyed = Assert.Single(days, d => d.ApiKeyId == key);
        var keyless = Assert.Single(days, d => d.ApiKeyId == Guid.Empty);
        Assert.Equal((Count / 2, Count / 4, 3L * Count / 2, 2L * Count / 2, 11L * Count / 2), (keyed.Requests, keyed.Errors, keyed.PromptTokens, keyed.CompletionTokens, keyed.CostMicros));
        Assert.Equal((Count / 2, 0L), (keyless.Requests, keyless.Errors));
        Assert.All(days, d => Assert.Equal(new DateTimeOffset(2026, 3, 4, 0, 0, 0, TimeSpan.Zero), d.BucketStart));

        // 24 records five minutes apart from 05:06 span 05:00–06:00 and 06:00–07:00.
        var hours = rollups.Where(r => r.Granularity == UsageGranularity.Hour).GroupBy(r => r.BucketStart).OrderBy(g => g.Key)
            .Select(g => (g.Key, Requests: g.Sum(r => r.Requests))).ToList();
        Assert.Equal(
            [(new DateTimeOffset(2026, 3, 4, 5, 0, 0, TimeSpan.Zero), 11L), (new DateTimeOffset(2026, 3, 4, 6, 0, 0, TimeSpan.Zero), 12L), (new DateTimeOffset(2026, 3, 4, 7, 0, 0, TimeSpan.Zero), 1L)],
            hours);
    }
}
