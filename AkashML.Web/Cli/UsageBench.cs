using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using AkashML.Data;
using AkashML.Data.Usage;
using AkashML.Web.Accounts;
using AkashML.Web.Hosting;
using AkashML.Web.Keys;
using AkashML.Web.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

namespace AkashML.Web.Cli;

/// <summary>
/// <c>bench usage [--rows 1000000] [--days 90] [--runs 5] [--postgres CONN]</c>: seeds one fresh user with that many
/// usage records (bulk insert) and their hourly/daily rollups in a throwaway database — a temporary SQLite file, or a
/// temporary database on the given PostgreSQL server — starts a real host on it, signs in over HTTP and times GET
/// <c>/usage</c> (the default view), a filtered hourly view, the next page of the recent-requests table, the page's
/// queries alone, and the CSV export of the default range.
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
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, ContentRootPath = AppContext.BaseDirectory });
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

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var weekAgo = DateTime.UtcNow.AddDays(-6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var defaultPage = await TimeGetAsync(http, "usage", runs, "recent-table");
        var cursor = CursorLink().Match(defaultPage.Html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups["href"].Value) : null;
        var hourly = await TimeGetAsync(http, $"usage?granularity=hour&from={weekAgo}&to={today}&key={keys[0]}&model={Uri.EscapeDataString(Models[1])}", runs, "tokens-chart");
        var nextPage = cursor is null ? null : await TimeGetAsync(http, cursor, runs, "recent-table");
        var queries = await TimeQueriesAsync(app.Services, userId, runs);
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
        Console.WriteLine(Line("GET /usage (default: 30 days, daily)", defaultPage));
        Console.WriteLine(Line("GET /usage (7 days hourly, key+model)", hourly));
        if (nextPage is not null)
        {
            Console.WriteLine(Line("GET /usage (recent, next page)", nextPage));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"page queries alone",-40} median {queries.Median:0.0} ms, min {queries.Min:0.0} ms, max {queries.Max:0.0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"CSV export (30 days)",-40} {export.Elapsed.TotalSeconds:0.00} s for {csvLines - 1:N0} rows ({(csvLines - 1) / export.Elapsed.TotalSeconds:N0} rows/s)"));
        Console.WriteLine(defaultPage.Median < 1000 ? "target               default view under 1 s: met" : "target               default view under 1 s: NOT met");
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

    private static async Task<PageTiming> TimeQueriesAsync(IServiceProvider services, string userId, int runs)
    {
        var times = new List<double>();
        for (var i = 0; i <= runs; i++)
        {
            await using var scope = services.CreateAsyncScope();
            var queries = scope.ServiceProvider.GetRequiredService<UsageQueries>();
            var watch = Stopwatch.StartNew();
            await queries.LoadAsync(userId, UsageFilter.Default(DateTimeOffset.UtcNow), null, CancellationToken.None);
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
        $"{what,-40} median {t.Median:0.0} ms, min {t.Min:0.0} ms, max {t.Max:0.0} ms ({t.Bytes / 1024.0:0} KB of HTML)");


    private sealed record Timed(TimeSpan Elapsed, long Count);

    private sealed record PageTiming(double Median, double Min, double Max, int Bytes, string Html);

    [GeneratedRegex(@"name=""__RequestVerificationToken""[^>]*value=""(?<value>[^""]+)""")]
    private static partial Regex Token();

    [GeneratedRegex(@"href=""(?<href>usage\?[^""]*cursor=[^""]+)""")]
    private static partial Regex CursorLink();
}
