using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using AkashML.Data;
using AkashML.Data.Keys;
using AkashML.Data.Usage;
using AkashML.Web.Keys;
using AkashML.Web.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Usage;

public sealed partial class UsageTests(DashboardHost fixture) : IClassFixture<DashboardHost>
{
    [Fact]
    public async Task Rollups_equal_the_sums_of_the_raw_records_after_real_API_calls()
    {
        var user = await fixture.SignInNewUserAsync(creditMicros: 10_000_000);
        var (_, first) = await DashboardHost.CreateKeyAsync(user.Browser, "one");
        var (_, second) = await DashboardHost.CreateKeyAsync(user.Browser, "two");
        var statuses = new List<HttpStatusCode>();
        foreach (var (secret, stream, model) in new[] { (first, false, DashboardHost.Model), (first, true, DashboardHost.Model), (second, false, DashboardHost.Model), (second, false, "no/such-model") })
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

        // The page's totals come from the rollups and agree with the records.
        var page = await user.Browser.GetAsync("usage");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(records.Count.ToString(CultureInfo.InvariantCulture), TestId(page, "total-requests"));
        Assert.Equal(records.Sum(r => r.PromptTokens).ToString("#,##0", CultureInfo.InvariantCulture), TestId(page, "total-input"));
        Assert.Equal(records.Sum(r => r.CompletionTokens).ToString("#,##0", CultureInfo.InvariantCulture), TestId(page, "total-output"));
        Assert.Contains("data-testid=\"tokens-chart\"", page.Html, StringComparison.Ordinal);
        Assert.Contains(records.First().InferenceId, page.Html, StringComparison.Ordinal);

        // Filter by key: only the second key's two requests.
        var keyTwo = await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().ApiKeys.Where(k => k.UserId == user.UserId && k.Name == "two").Select(k => k.Id).SingleAsync());
        var filtered = await user.Browser.GetAsync($"usage?key={keyTwo}");
        Assert.Equal("2", TestId(filtered, "total-requests"));
        Assert.DoesNotContain(records.First(r => r.ApiKeyId != keyTwo).InferenceId, filtered.Html, StringComparison.Ordinal);

        // Filter by model.
        var byModel = await user.Browser.GetAsync("usage?model=akashml%2Ftiny-random&granularity=hour&from=" + DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Assert.Equal("3", TestId(byModel, "total-requests"));
        Assert.Equal(records.Sum(r => r.PromptTokens).ToString("#,##0", CultureInfo.InvariantCulture), TestId(byModel, "total-input"));
        var unknownModel = await user.Browser.GetAsync("usage?model=no%2Fsuch-model");
        Assert.Equal("0", TestId(unknownModel, "total-requests"));

        // CSV export of the filtered rows.
        var csv = await user.Browser.GetAsync($"usage/export.csv?key={keyTwo}");
        Assert.Equal(HttpStatusCode.OK, csv.Status);
        var lines = csv.Html.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(UsageExportEndpoint.Header, lines[0]);
        Assert.Equal(2, lines.Count - 1);
        foreach (var record in records.Where(r => r.ApiKeyId == keyTwo))
        {
            var line = Assert.Single(lines, l => l.Contains(record.InferenceId, StringComparison.Ordinal));
            var cells = line.Split(',');
            Assert.Equal(record.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), cells[0]);
            Assert.Equal(keyTwo.ToString(), cells[2]);
            Assert.Equal("two", cells[3]);
            Assert.Equal(record.Model, cells[4]);
            Assert.Equal(record.PromptTokens.ToString(CultureInfo.InvariantCulture), cells[6]);
            Assert.Equal(record.CompletionTokens.ToString(CultureInfo.InvariantCulture), cells[7]);
            Assert.Equal((record.CostMicros / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture), cells[8]);
            Assert.Equal(record.Status, cells[11]);
        }

        var all = await user.Browser.GetAsync("usage/export.csv");
        Assert.Equal(records.Count + 1, all.Html.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task The_recent_requests_table_pages_by_keyset_without_gaps_or_repeats()
    {
        var user = await fixture.SignInNewUserAsync();
        var now = DateTimeOffset.UtcNow;
        var seeded = Enumerable.Range(0, UsageQueries.PageSize + 13).Select(i => new UsageRecord
        {
            InferenceId = $"inf-seed-{i:0000}-{Guid.NewGuid():N}"[..40],
            UserId = user.UserId,
            Model = i % 2 == 0 ? "m/even" : "m/odd",
            Surface = "openai",
            PromptTokens = 10 + i,
            CompletionTokens = i,
            CostMicros = 7 * i,
            LatencyMs = 100,
            Status = "ok",
            HttpStatus = 200,
            // Several share a timestamp, so the id breaks ties.
            CreatedAt = now.AddMinutes(-(i / 3)),
        }).ToList();
        await fixture.Host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<AkashDbContext>();
            await BulkInsert.InsertAsync(db, seeded, CancellationToken.None);
            var rollups = seeded.SelectMany(r => new[] { UsageRollupWriter.From(r, UsageGranularity.Hour), UsageRollupWriter.From(r, UsageGranularity.Day) })
                .GroupBy(r => (r.Granularity, r.BucketStart, r.Model))
                .Select(g => new UsageRollup
                {
                    UserId = user.UserId, Model = g.Key.Model, Granularity = g.Key.Granularity, BucketStart = g.Key.BucketStart, ApiKeyId = Guid.Empty,
                    Requests = g.Sum(r => r.Requests), PromptTokens = g.Sum(r => r.PromptTokens), CompletionTokens = g.Sum(r => r.CompletionTokens), CostMicros = g.Sum(r => r.CostMicros),
                });
            return await BulkInsert.InsertAsync(db, rollups, CancellationToken.None);
        });

        var first = await user.Browser.GetAsync("usage");
        var firstIds = InferenceIds(first);
        Assert.Equal(UsageQueries.PageSize, firstIds.Count);
        var older = Assert.Single(first.Links, l => l.Contains("cursor=", StringComparison.Ordinal));
        var second = await user.Browser.GetAsync(older);
        var secondIds = InferenceIds(second);
        Assert.Equal(13, secondIds.Count);
        Assert.DoesNotContain(second.Links, l => l.Contains("cursor=", StringComparison.Ordinal));
        Assert.Equal(seeded.Select(r => r.InferenceId).Order(), firstIds.Concat(secondIds).Order());
        Assert.Equal(seeded.Count.ToString(CultureInfo.InvariantCulture), TestId(first, "total-requests"));
        Assert.Contains("m/even", first.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_query_values_fall_back_with_a_message_and_export_refuses_them()
    {
        var user = await fixture.SignInNewUserAsync();
        var page = await user.Browser.GetAsync("usage?from=yesterday&granularity=minute&key=nope");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("'yesterday' is not a date", page.Text, StringComparison.Ordinal);
        Assert.Contains("Unknown granularity 'minute'", page.Text, StringComparison.Ordinal);
        var reversed = await user.Browser.GetAsync("usage?from=2026-05-10&to=2026-05-01");
        Assert.Contains("before the start date", reversed.Text, StringComparison.Ordinal);
        using var csv = await user.Browser.SendOnceAsync(HttpMethod.Get, new Uri(user.Browser.BaseAddress, "usage/export.csv?from=2026-13-01"));
        Assert.Equal(HttpStatusCode.BadRequest, csv.StatusCode);
        using var anonymous = new HttpClient { BaseAddress = fixture.BaseAddress };
        using var denied = await anonymous.GetAsync("usage/export.csv");
        Assert.DoesNotContain(UsageExportEndpoint.Header, await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string TestId(Infrastructure.HtmlPage page, string id) =>
        Regex.Match(page.Html, $"data-testid=\"{id}\"[^>]*>([^<]*)<").Groups[1].Value;

    private static List<string> InferenceIds(Infrastructure.HtmlPage page) =>
        [.. RowId().Matches(page.Html).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"<tr data-inference-id=""([^""]+)""")]
    private static partial Regex RowId();
}
