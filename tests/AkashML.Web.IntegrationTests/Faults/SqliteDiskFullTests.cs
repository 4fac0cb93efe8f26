using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AkashML.Web.IntegrationTests.Faults;

/// <summary>
/// The SQLite file cannot grow (a full disk, simulated with <c>AkashML:SqliteMaxPageCount</c>, which the host's own
/// connections apply: SQLite answers SQLITE_FULL exactly as on a full disk). Writes get a clear 507 in each API's error
/// shape, never a 500; reads go on; no charge is lost or doubled; once space returns the file is intact and serves.
/// </summary>
public sealed class SqliteDiskFullTests(ITestOutputHelper output)
{
    private const int MaxRequests = 400;
    private const int FullAnswersWanted = 5;

    // A few pages over the current size: the host starts (its start-up writes fit), then the traffic fills them.
    private const int SparePages = 4;

    [Fact]
    public async Task Writes_get_507_while_the_database_is_full_reads_go_on_and_nothing_is_lost_once_space_returns()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var key = await HostProcess.CreateFundedKeyAsync(database, "disk-full", usd: 100);
        var file = Path.Combine(database.DataDirectory, "akashml.db");
        var cap = await PragmaAsync<long>(file, "PRAGMA page_count") + SparePages;

        var answers = new List<(HttpStatusCode Status, string? InferenceId, string Body)>();
        await using (var full = await HostProcess.StartAsync(database, new Dictionary<string, string?>
        {
            ["AkashML:SqliteMaxPageCount"] = cap.ToString(CultureInfo.InvariantCulture),
        }))
        {
            using var http = Client(full, key);
            while (answers.Count < MaxRequests && answers.Count(a => a.Status == HttpStatusCode.InsufficientStorage) < FullAnswersWanted)
            {
                // Alternating surfaces: each must answer in its own error shape.
                var anthropic = answers.Count % 2 == 1;
                using var response = await http.PostAsync(new Uri(anthropic ? "anthropic/v1/messages" : "v1/completions", UriKind.Relative), anthropic
                    ? Json("{\"model\":\"akashml/tiny-random\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                    : Json("{\"model\":\"akashml/tiny-random\",\"prompt\":\"Hello\",\"max_tokens\":4}"));
                answers.Add((response.StatusCode, response.Headers.TryGetValues("Inference-Id", out var ids) ? ids.First() : null, await response.Content.ReadAsStringAsync()));
            }

            if (answers.Any(a => (int)a.Status >= 500 && a.Status != HttpStatusCode.InsufficientStorage))
            {
                output.WriteLine(full.OutputTail);
            }

            // Reads need no space: the catalog and the key check still answer.
            using var models = await http.GetAsync(new Uri("v1/models", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, models.StatusCode);
            using var tokenized = await http.PostAsync(new Uri("tokenize", UriKind.Relative), Json("{\"model\":\"akashml/tiny-random\",\"prompt\":\"Hello\"}"));
            Assert.Equal(HttpStatusCode.OK, tokenized.StatusCode);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cap {cap} pages: {answers.Count(a => a.Status == HttpStatusCode.OK)} answered, then {answers.Count(a => a.Status == HttpStatusCode.InsufficientStorage)} refused with 507"));
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.InsufficientStorage, $"{(int)a.Status}: {a.Body}"));
        Assert.Equal(FullAnswersWanted, answers.Count(a => a.Status == HttpStatusCode.InsufficientStorage));
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.InsufficientStorage), a =>
        {
            var error = JsonNode.Parse(a.Body)?["error"];
            Assert.Contains("database is full", (string?)error?["message"], StringComparison.Ordinal);
            Assert.NotNull(a.InferenceId);
        });

        // Space returns: the same host, restarted without the cap, on the same file.
        Assert.Equal("ok", await PragmaAsync<string>(file, "PRAGMA integrity_check"));
        await using var healed = await HostProcess.StartAsync(database);
        using (var http = Client(healed, key))
        {
            using var response = await http.PostAsync(new Uri("v1/completions", UriKind.Relative), Json("{\"model\":\"akashml/tiny-random\",\"prompt\":\"Hello\",\"max_tokens\":4}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Every answered request charged once, nothing kept for a refused one, no hold left open, the ledger summing to the pools.
        await using var db = Context(file);
        var reservations = await db.CreditReservations.AsNoTracking().ToListAsync();
        foreach (var ok in answers.Where(a => a.Status == HttpStatusCode.OK))
        {
            var reservation = Assert.Single(reservations, r => r.InferenceId == ok.InferenceId);
            Assert.Equal(ReservationStatus.Settled, reservation.Status);
            Assert.True(reservation.ChargedMicros > 0);
        }

        Assert.All(answers.Where(a => a.Status == HttpStatusCode.InsufficientStorage), refused =>
            Assert.DoesNotContain(reservations, r => r.InferenceId == refused.InferenceId && r.ChargedMicros > 0));
        Assert.DoesNotContain(reservations, r => r.Status == ReservationStatus.Open);
        var pools = await db.CreditPools.AsNoTracking().ToListAsync();
        var entries = await db.LedgerEntries.AsNoTracking().ToListAsync();
        Assert.All(pools, pool => Assert.Equal(pool.RemainingMicros, entries.Where(e => e.PoolId == pool.Id).Sum(e => e.AmountMicros)));
        Assert.Equal("ok", await PragmaAsync<string>(file, "PRAGMA integrity_check"));
    }

    private static HttpClient Client(HostProcess host, string key)
    {
        var http = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        return http;
    }

    /// <summary>The product's own context over the file, read-only use, to check what the host stored.</summary>
    private static SqliteAkashDbContext Context(string file) =>
        new(new DbContextOptionsBuilder<SqliteAkashDbContext>().UseSqlite($"Data Source={file};Pooling=false").Options);

    private static async Task<T> PragmaAsync<T>(string file, string pragma)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = pragma;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
