using AkashML.Web;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using AkashML.Data;
using AkashML.Data.Usage;
using AkashML.Web.Accounts;
using AkashML.Web.Cli;
using AkashML.Web.Hosting;
using AkashML.Web.Keys;
using AkashML.Web.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

namespace AkashML.Bench.Cli;

/// <summary>
/// <c>bench usage [--rows 1000000] [--days 90] [--runs 5] [--postgres CONN]</c>: seeds one fresh user with that many
/// usage records (bulk insert) and their hourly/daily rollups in a throwaway database — a temporary SQLite file, or a
/// temporary database on the given PostgreSQL server — starts a real host on it, signs in over HTTP and times the
/// interactive usage page: its prerendered GET (default and a filtered hourly view), then the calls the page makes on
/// its circuit through the same <see cref="UsageQueries"/> (summary; grid pages first, next, middle, last; sorted by
/// cost; errors only), and the CSV export of the default range. The default view is the prerendered GET plus the
/// grid's first page.
/// </summary>
internal static partial class UsageBench
{
    private static readonly string Usage = VerbCatalog.Usage("bench", "usage");
    private const string Password = "Bench-Passw0rd!";
    private static readonly string[] Models = ["akashml/tiny-random", "meta/llama-3.1-8b", "qwen/qwen2.5-7b", "mistral/mistral-7b"];

    public static async Task<int> RunAsync(VerbArguments arguments)
    {
        var rows = arguments.PositiveInt("rows", 1_000_000);
        var days = arguments.PositiveInt("days", 90);
        var runs = arguments.PositiveInt("runs", 5);
        var postgres = arguments.Optional("postgres");
        if (arguments.Flag("postgres") && string.IsNullOrWhiteSpace(postgres))
        {
            throw new CommandLineException(Usage);
        }

        var directory = Path.Combine(Path.GetTempPath(), "akashml-bench-usage-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string? database = null;
        try
        {
            string? connectionString = null;
            if (postgres is not null)
            {
                (database, connectionString) = await CreatePostgresDatabaseAsync(postgres);
            }

            await RunOnAsync(directory, connectionString, rows, days, runs);
            return 0;
        }
        finally
        {
            if (database is not null)
            {
                await DropPostgresDatabaseAsync(postgres!, database);
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is the OS's to clean.
            }
        }
    }

    private static async Task RunOnAsync(string directory, string? postgres, int rows, int days, int runs)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, ContentRootPath = AppContext.BaseDirectory, ApplicationName = HostEntry.ApplicationName });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AkashML:DataDirectory"] = directory,
            ["AkashML:MigrateOnStart"] = "false",
            ["ConnectionStrings:Postgres"] = postgres ?? "",
            ["Models:Directory"] = Path.Combine(directory, "models"),
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddAkashMLHost();
        await using var app = builder.Build();
        app.UseAkashMLPipeline();
        await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);

        var email = $"bench-{Guid.NewGuid():N}@example.test";
        string userId;
        Guid[] keys;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var user = await scope.ServiceProvider.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(email, Password, admin: false);
            userId = user.Id;
            var keyService = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
            var created = new List<Guid>();
            foreach (var name in new[] { "production", "staging", "batch-jobs" })
            {
                created.Add((await keyService.CreateAsync(userId, name, ApiKeyLimits.None, CancellationToken.None)).Key.Id);
            }

            keys = [.. created];
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"database             {(postgres is null ? "SQLite (temporary file)" : "PostgreSQL (temporary database)")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed                 {rows:N0} usage records over {days} days, {keys.Length} keys, {Models.Length} models, one user"));
        var (records, rollups) = await SeedAsync(app.Services, userId, keys, rows, days);

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(address + "/"), Timeout = TimeSpan.FromMinutes(5) };
        await SignInAsync(http, email);

        var now = DateTimeOffset.UtcNow;
        var today = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var weekAgo = now.AddDays(-6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var hourlyQuery = $"granularity=hour&from={weekAgo}&to={today}&key={keys[0]}&model={Uri.EscapeDataString(Models[1])}";

        // The prerendered page: the circuit-less first response, which already carries the totals and charts.
        var defaultPage = await TimeGetAsync(http, "usage", runs, "usage-totals");
        var hourly = await TimeGetAsync(http, "usage?" + hourlyQuery, runs, "tokens-chart");

        // What the interactive page asks for once its circuit is up: the same calls, through the same service.
        var defaultFilter = UsageFilter.Default(now);
        var hourlyFilter = UsageFilter.Parse(weekAgo, today, "hour", keys[0].ToString(), Models[1], now);
        var summary = await TimeQueryAsync(app.Services, runs, q => q.SummaryAsync(userId, defaultFilter, CancellationToken.None));
        var firstRows = await TimeQueryAsync(app.Services, runs, q => q.RowsAsync(userId, defaultFilter, UsageSort.Time, true, 0, UsageQueries.PageSize, CancellationToken.None));
        var total = (await app.Services.GetRequiredService<UsageQueries>().RowsAsync(userId, defaultFilter, UsageSort.Time, true, 0, UsageQueries.PageSize, CancellationToken.None)).Total;
        var lastPage = Math.Max(0, (total - 1) / UsageQueries.PageSize);
        var nextRows = await TimeQueryAsync(app.Services, runs, q => q.RowsAsync(userId, defaultFilter, UsageSort.Time, true, 1, UsageQueries.PageSize, CancellationToken.None));
        var middleRows = await TimeQueryAsync(app.Services, runs, q => q.RowsAsync(userId, defaultFilter, UsageSort.Time, true, lastPage / 2, UsageQueries.PageSize, CancellationToken.None));
        var lastRows = await TimeQueryAsync(app.Services, runs, q => q.RowsAsync(userId, defaultFilter, UsageSort.Time, true, lastPage, UsageQueries.PageSize, CancellationToken.None));
        var byCost = await TimeQueryAsync(app.Services, runs, q => q.RowsAsync(userId, defaultFilter, UsageSort.Cost, true, 0, UsageQueries.PageSize, CancellationToken.None));
        var errors = await TimeQueryAsync(app.Services, runs, q => q.RowsAsync(userId, defaultFilter with { Status = "error" }, UsageSort.Time, true, 0, UsageQueries.PageSize, CancellationToken.None));
        var hourlyData = await TimeQueryAsync(app.Services, runs, async q =>
        {
            await q.SummaryAsync(userId, hourlyFilter, CancellationToken.None);
            return await q.RowsAsync(userId, hourlyFilter, UsageSort.Time, true, 0, UsageQueries.PageSize, CancellationToken.None);
        });

        var export = Stopwatch.StartNew();
        var csvLines = 0L;
        await using (var stream = await http.GetStreamAsync("usage/export.csv"))
        using (var reader = new StreamReader(stream))
        {
            while (await reader.ReadLineAsync() is not null)
            {
                csvLines++;
            }
        }

        export.Stop();
        await app.StopAsync();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bulk insert          {records.Elapsed.TotalSeconds:0.0} s for {rows:N0} records ({rows / records.Elapsed.TotalSeconds:N0}/s), {rollups.Elapsed.TotalSeconds:0.00} s for {rollups.Count:N0} rollup rows"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"default view         {total:N0} requests in the last {UsageFilter.DefaultDays} days"));
        Console.WriteLine(Line("GET /usage prerendered (default)", defaultPage));
        Console.WriteLine(Line("GET /usage prerendered (7 d hourly, key+model)", hourly));
        Console.WriteLine(Line("summary: totals, charts, filters", summary));
        Console.WriteLine(Line("grid: first page (newest first)", firstRows));
        Console.WriteLine(Line("grid: next page", nextRows));
        Console.WriteLine(Line($"grid: middle page ({lastPage / 2:N0})", middleRows));
        Console.WriteLine(Line($"grid: last page ({lastPage:N0})", lastRows));
        Console.WriteLine(Line("grid: first page sorted by cost", byCost));
        Console.WriteLine(Line("grid: errors only (counted)", errors));
        Console.WriteLine(Line("7 d hourly, key+model: summary+grid", hourlyData));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"CSV export (30 days)",-48} {export.Elapsed.TotalSeconds:0.00} s for {csvLines - 1:N0} rows ({(csvLines - 1) / export.Elapsed.TotalSeconds:N0} rows/s)"));

        // The default view is complete once the prerendered page is in and the circuit's grid query has answered.
        var view = defaultPage.Median + firstRows.Median;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"default view: prerender + grid query",-48} median {view:0.0} ms"));
        Console.WriteLine(view < 1000 ? "target               default view under 1 s: met" : "target               default view under 1 s: NOT met");
    }

    private static async Task<(Timed Elapsed, Timed Rollups)> SeedAsync(IServiceProvider services, string userId, Guid[] keys, int rows, int days)
    {
        var end = DateTimeOffset.UtcNow;
        var span = TimeSpan.FromDays(days).Ticks;
        var random = new Random(42);
        var sums = new Dictionary<(UsageGranularity, DateTimeOffset, Guid, string), UsageRollup>();

        // Records are generated as they are inserted (nothing holds a million of them), rollups summed alongside.
        IEnumerable<UsageRecord> Generate()
        {
            for (var i = 0; i < rows; i++)
            {
                var model = Models[random.Next(Models.Length)];
                var ok = random.Next(50) != 0;
                var prompt = random.Next(20, 4000);
                var completion = ok ? random.Next(1, 1200) : 0;
                var record = new UsageRecord
                {
                    InferenceId = "inf-bench-" + i.ToString("x8", CultureInfo.InvariantCulture),
                    UserId = userId,
                    ApiKeyId = keys[random.Next(keys.Length)],
                    Model = model,
                    Surface = random.Next(4) == 0 ? "anthropic" : "openai",
                    PromptTokens = prompt,
                    CompletionTokens = completion,
                    CostMicros = (prompt / 10) + (completion / 5),
                    LatencyMs = random.Next(50, 9000),
                    TimeToFirstTokenMs = ok ? random.Next(10, 800) : null,
                    Status = ok ? "ok" : "error",
                    HttpStatus = ok ? 200 : 429,
                    Error = ok ? null : "rate limited",
                    Streamed = random.Next(2) == 0,
                    // Spread evenly over the range, oldest first, as they would have been written.
                    CreatedAt = end.AddTicks(-span + (long)((double)span * i / rows)),
                };
                foreach (var granularity in new[] { UsageGranularity.Hour, UsageGranularity.Day })
                {
                    var one = UsageRollupWriter.From(record, granularity);
                    var key = (granularity, one.BucketStart, one.ApiKeyId, one.Model);
                    if (sums.TryGetValue(key, out var sum))
                    {
                        sum.Requests++;
                        sum.Errors += one.Errors;
                        sum.PromptTokens += one.PromptTokens;
                        sum.CompletionTokens += one.CompletionTokens;
                        sum.CostMicros += one.CostMicros;
                    }
                    else
                    {
                        sums[key] = one;
                    }
                }

                yield return record;
            }
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var watch = Stopwatch.StartNew();
        await BulkInsert.InsertAsync(db, Generate(), CancellationToken.None);
        var records = new Timed(watch.Elapsed, rows);
        watch.Restart();
        var rollupCount = await BulkInsert.InsertAsync(db, sums.Values, CancellationToken.None);
        var rollups = new Timed(watch.Elapsed, rollupCount);
        // Fresh planner statistics, as autovacuum (PostgreSQL) would gather shortly after such a load.
        await db.Database.ExecuteSqlRawAsync("ANALYZE");
        return (records, rollups);
    }

    private static async Task SignInAsync(HttpClient http, string email)
    {
        var login = await http.GetStringAsync("Account/Login");
        var token = Token().Match(login);
        if (!token.Success)
        {
            throw new InvalidOperationException("the sign-in page has no antiforgery token");
        }

        using var response = await http.PostAsync("Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups["value"].Value),
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
        }));
        var page = await http.GetStringAsync("usage");
        if (!page.Contains("data-testid=\"usage-totals\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("signing in to the bench host failed");
        }
    }

    private static async Task<PageTiming> TimeGetAsync(HttpClient http, string path, int runs, string mustContain)
    {
        // One warm-up request (JIT, first queries, connection), then timed runs.
        var html = await GetAsync(http, path);
        if (!html.Contains($"data-testid=\"{mustContain}\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"GET /{path} did not render {mustContain}");
        }

        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            html = await GetAsync(http, path);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return new PageTiming(times[times.Count / 2], times[0], times[^1], html.Length, html);
    }

    private static async Task<string> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>One warm-up call, then timed calls of <paramref name="query"/> on the page's own query service.</summary>
    private static async Task<PageTiming> TimeQueryAsync<T>(IServiceProvider services, int runs, Func<UsageQueries, Task<T>> query)
    {
        var queries = services.GetRequiredService<UsageQueries>();
        var times = new List<double>();
        for (var i = 0; i <= runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await query(queries);
            if (i > 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        return new PageTiming(times[times.Count / 2], times[0], times[^1], 0, "");
    }

    private static async Task<(string Database, string ConnectionString)> CreatePostgresDatabaseAsync(string admin)
    {
        var name = "akashml_bench_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return (name, new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString);
    }

    private static async Task DropPostgresDatabaseAsync(string admin, string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static string Line(string what, PageTiming t) => string.Create(CultureInfo.InvariantCulture,
        $"{what,-48} median {t.Median:0.0} ms, min {t.Min:0.0} ms, max {t.Max:0.0} ms{(t.Bytes > 0 ? $" ({t.Bytes / 1024.0:0} KB of HTML)" : "")}");

    private sealed record Timed(TimeSpan Elapsed, long Count);

    private sealed record PageTiming(double Median, double Min, double Max, int Bytes, string Html);

    [GeneratedRegex(@"name=""__RequestVerificationToken""[^>]*value=""(?<value>[^""]+)""")]
    private static partial Regex Token();
}
