using System.Globalization;
using System.Net;
using AkashML.Data;
using AkashML.Data.Keys;
using AkashML.Data.Usage;
using AkashML.Web.Keys;
using AkashML.Web.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Usage;

/// <summary>
/// Usage data over real HTTP: rollups against raw records after real API calls, the queries the interactive usage page
/// runs (its rendering is covered by the bunit tests in AkashML.Web.Components.Tests), and the CSV export endpoint.
/// </summary>
public sealed class UsageTests(DashboardHost fixture) : IClassFixture<DashboardHost>
{
    [Fact]
    public async Task Rollups_equal_the_sums_of_the_raw_records_after_real_API_calls_and_the_export_follows_the_filter()
    {
        var user = await UsageAccounts.NewAsync(fixture, creditMicros: 10_000_000);
        var first = await CreateKeyAsync(user.UserId, "one");
        var second = await CreateKeyAsync(user.UserId, "two");
        var statuses = new List<HttpStatusCode>();
        foreach (var (secret, stream, model) in new[] { (first.Secret, false, DashboardHost.Model), (first.Secret, true, DashboardHost.Model), (second.Secret, false, DashboardHost.Model), (second.Secret, false, "no/such-model") })
        {
            using var response = await fixture.CompleteAsync(secret, "count me", maxTokens: 5, stream: stream, model: model);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound], statuses);
        await fixture.Host.FlushUsageAsync();
        var (records, rollups) = await fixture.Host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<AkashDbContext>();
            return (await db.UsageRecords.AsNoTracking().Where(r => r.UserId == user.UserId).ToListAsync(),
                await db.UsageRollups.AsNoTracking().Where(r => r.UserId == user.UserId).ToListAsync());
        });
        Assert.Equal(4, records.Count);
        Assert.Contains(records, r => r.Status == "error" && r.HttpStatus == 404);
        foreach (var granularity in new[] { UsageGranularity.Hour, UsageGranularity.Day })
        {
            var expected = records
                .GroupBy(r => (Key: r.ApiKeyId ?? Guid.Empty, r.Model, Bucket: UsageRollup.BucketOf(r.CreatedAt, granularity)))
                .ToDictionary(g => g.Key, g => (Requests: (long)g.Count(), Errors: (long)g.Count(r => r.Status != "ok"), Prompt: g.Sum(r => (long)r.PromptTokens),
                    Completion: g.Sum(r => (long)r.CompletionTokens), Cost: g.Sum(r => r.CostMicros)));
            var actual = rollups.Where(r => r.Granularity == granularity)
                .ToDictionary(r => (Key: r.ApiKeyId, r.Model, Bucket: r.BucketStart), r => (r.Requests, r.Errors, Prompt: r.PromptTokens, Completion: r.CompletionTokens, Cost: r.CostMicros));
            Assert.Equal(expected.OrderBy(e => e.Key.ToString()), actual.OrderBy(a => a.Key.ToString()));
        }

        Assert.True(records.Sum(r => r.CostMicros) > 0);
        Assert.All(records.Where(r => r.Status == "ok"), r => Assert.Contains("\"max_tokens\":5", r.Parameters, StringComparison.Ordinal));
        Assert.All(records, r => Assert.DoesNotContain("count me", r.Parameters ?? "", StringComparison.Ordinal));

        // The page's totals come from the rollups and agree with the records, filtered by key, model and outcome.
        var queries = fixture.Host.Services.GetRequiredService<UsageQueries>();
        var now = DateTimeOffset.UtcNow;
        var all = await queries.SummaryAsync(user.UserId, UsageFilter.Default(now), CancellationToken.None);
        Assert.Equal(records.Count, all.Requests);
        Assert.Equal(records.Sum(r => (long)r.PromptTokens), all.PromptTokens);
        Assert.Equal(records.Sum(r => (long)r.CompletionTokens), all.CompletionTokens);
        Assert.Equal(records.Sum(r => r.CostMicros), all.CostMicros);
        Assert.Equal(["one", "two"], all.KeyNames.Values);
        var byKey = await queries.SummaryAsync(user.UserId, UsageFilter.Parse(null, null, null, second.Key.Id.ToString(), null, now), CancellationToken.None);
        Assert.Equal(2, byKey.Requests);
        var byModel = await queries.SummaryAsync(user.UserId, UsageFilter.Parse(now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null, "hour", null, DashboardHost.Model, now), CancellationToken.None);
        Assert.Equal(3, byModel.Requests);
        Assert.Equal(records.Sum(r => (long)r.PromptTokens), byModel.PromptTokens);
        Assert.Equal(24, byModel.Series.Count);
        Assert.Equal(0, (await queries.SummaryAsync(user.UserId, UsageFilter.Parse(null, null, null, null, "no/such-model", now), CancellationToken.None)).Requests);
        var errors = await queries.RowsAsync(user.UserId, UsageFilter.Parse(null, null, null, null, null, now, "error"), UsageSort.Time, true, 0, 50, CancellationToken.None);
        Assert.Equal(1, errors.Total);
        Assert.Equal(404, Assert.Single(errors.Rows).HttpStatus);

        // CSV export of the filtered rows.
        var csv = await user.Browser.GetAsync($"usage/export.csv?key={second.Key.Id}");
        Assert.Equal(HttpStatusCode.OK, csv.Status);
        var lines = csv.Html.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(UsageExportEndpoint.Header, lines[0]);
        Assert.Equal(2, lines.Count - 1);
        foreach (var record in records.Where(r => r.ApiKeyId == second.Key.Id))
        {
            var line = Assert.Single(lines, l => l.Contains(record.InferenceId, StringComparison.Ordinal));
            var cells = line.Split(',');
            Assert.Equal(record.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), cells[0]);
            Assert.Equal(second.Key.Id.ToString(), cells[2]);
            Assert.Equal("two", cells[3]);
            Assert.Equal(record.Model, cells[4]);
            Assert.Equal(record.PromptTokens.ToString(CultureInfo.InvariantCulture), cells[6]);
            Assert.Equal(record.CompletionTokens.ToString(CultureInfo.InvariantCulture), cells[7]);
            Assert.Equal((record.CostMicros / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture), cells[8]);
            Assert.Equal(record.Status, cells[11]);
        }

        var everything = await user.Browser.GetAsync("usage/export.csv");
        Assert.Equal(records.Count + 1, everything.Html.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var failed = await user.Browser.GetAsync("usage/export.csv?status=error");
        Assert.Equal(2, failed.Html.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData(UsageSort.Time, true)]
    [InlineData(UsageSort.Time, false)]
    [InlineData(UsageSort.Cost, true)]
    [InlineData(UsageSort.Latency, false)]
    public async Task The_requests_grid_pages_from_either_end_without_gaps_or_repeats(UsageSort sort, bool descending)
    {
        var user = await UsageAccounts.NewAsync(fixture);
        var now = DateTimeOffset.UtcNow;
        const int PageSize = 10;
        var seeded = Enumerable.Range(0, (PageSize * 6) + 3).Select(i => new UsageRecord
        {
            InferenceId = $"inf-seed-{i:0000}-{Guid.NewGuid():N}"[..40],
            UserId = user.UserId,
            Model = i % 2 == 0 ? "m/even" : "m/odd",
            Surface = "openai",
            PromptTokens = 10 + i,
            CompletionTokens = i,
            // Ties on purpose: the id breaks them, so no page repeats or skips a row.
            CostMicros = 7 * (i % 5),
            LatencyMs = 100 + (i % 4),
            Status = "ok",
            HttpStatus = 200,
            CreatedAt = now.AddMinutes(-(i / 3)),
        }).ToList();
        await SeedAsync(user.UserId, seeded);

        var queries = fixture.Host.Services.GetRequiredService<UsageQueries>();
        var filter = UsageFilter.Default(now);
        var pages = new List<UsageRowsPage>();
        for (var page = 0; page < 7; page++)
        {
            pages.Add(await queries.RowsAsync(user.UserId, filter, sort, descending, page, PageSize, CancellationToken.None));
        }

        Assert.All(pages, p => Assert.Equal(seeded.Count, p.Total));
        Assert.Equal([10, 10, 10, 10, 10, 10, 3], pages.Select(p => p.Rows.Count));
        var ids = pages.SelectMany(p => p.Rows).Select(r => r.InferenceId).ToList();
        Assert.Equal(seeded.Select(r => r.InferenceId).Order(), ids.Order());
        Func<UsageRow, long> key = sort switch
        {
            UsageSort.Cost => r => r.CostMicros,
            UsageSort.Latency => r => r.LatencyMs,
            _ => r => r.CreatedAt.UtcTicks,
        };
        var rows = pages.SelectMany(p => p.Rows).ToList();
        var expected = descending ? rows.OrderByDescending(key).ThenByDescending(r => r.Id) : rows.OrderBy(key).ThenBy(r => r.Id);
        Assert.Equal(expected.Select(r => r.Id), rows.Select(r => r.Id));
        Assert.Empty((await queries.RowsAsync(user.UserId, filter, sort, descending, 7, PageSize, CancellationToken.None)).Rows);
    }

    [Fact]
    public async Task Bad_query_values_fall_back_with_a_message_and_export_refuses_them()
    {
        var now = new DateTimeOffset(2026, 5, 20, 12, 0, 0, TimeSpan.Zero);
        var odd = UsageFilter.Parse("yesterday", null, "minute", "nope", null, now, "maybe");
        Assert.Contains(odd.Problems, p => p.Contains("'yesterday' is not a date", StringComparison.Ordinal));
        Assert.Contains(odd.Problems, p => p.Contains("Unknown granularity 'minute'", StringComparison.Ordinal));
        Assert.Contains(odd.Problems, p => p.Contains("not a key id", StringComparison.Ordinal));
        Assert.Contains(odd.Problems, p => p.Contains("Unknown status 'maybe'", StringComparison.Ordinal));
        Assert.Equal(UsageFilter.Default(now) with { Problems = odd.Problems }, odd);
        Assert.Contains("before the start date", Assert.Single(UsageFilter.Parse("2026-05-10", "2026-05-01", null, null, null, now).Problems), StringComparison.Ordinal);
        Assert.Contains("Hourly charts cover at most 31 days", Assert.Single(UsageFilter.Parse("2026-01-01", "2026-05-01", "hour", null, null, now).Problems), StringComparison.Ordinal);

        var user = await UsageAccounts.NewAsync(fixture);
        using var csv = await user.Browser.SendOnceAsync(HttpMethod.Get, new Uri(user.Browser.BaseAddress, "usage/export.csv?from=2026-13-01"));
        Assert.Equal(HttpStatusCode.BadRequest, csv.StatusCode);
        using var anonymous = new HttpClient { BaseAddress = fixture.BaseAddress };
        using var denied = await anonymous.GetAsync("usage/export.csv");
        Assert.DoesNotContain(UsageExportEndpoint.Header, await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private Task<(ApiKey Key, string Secret)> CreateKeyAsync(string userId, string name) =>
        fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().CreateAsync(userId, name, ApiKeyLimits.None, CancellationToken.None));

    private Task<long> SeedAsync(string userId, List<UsageRecord> seeded) => fixture.Host.WithServicesAsync(async sp =>
    {
        var db = sp.GetRequiredService<AkashDbContext>();
        await BulkInsert.InsertAsync(db, seeded, CancellationToken.None);
        var rollups = seeded.SelectMany(r => new[] { UsageRollupWriter.From(r, UsageGranularity.Hour), UsageRollupWriter.From(r, UsageGranularity.Day) })
            .GroupBy(r => (r.Granularity, r.BucketStart, r.Model))
            .Select(g => new UsageRollup
            {
                UserId = userId, Model = g.Key.Model, Granularity = g.Key.Granularity, BucketStart = g.Key.BucketStart, ApiKeyId = Guid.Empty,
                Requests = g.Sum(r => r.Requests), PromptTokens = g.Sum(r => r.PromptTokens), CompletionTokens = g.Sum(r => r.CompletionTokens), CostMicros = g.Sum(r => r.CostMicros),
            });
        return await BulkInsert.InsertAsync(db, rollups, CancellationToken.None);
    });
}
