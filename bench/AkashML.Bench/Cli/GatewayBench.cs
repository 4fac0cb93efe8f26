using AkashML.Web;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using AkashML.Web.Cli;
using AkashML.Web.Hosting;
using AkashML.Web.Keys;
using AkashML.Web.Limits;
using Npgsql;

namespace AkashML.Bench.Cli;

/// <summary>
/// <c>bench gateway</c>: what key authentication and limit checks add to each API request. Starts its own host on
/// 127.0.0.1 over a throw-away data directory (and, with <c>--postgres ADMIN_CONNECTION</c>, a throw-away database on
/// that server), creates keys with every limit set (high enough never to refuse), drives it with concurrent clients,
/// and reports percentiles of the gateway time the host itself measured (<see cref="GatewayMetrics"/>), next to the
/// clients' end-to-end latency.
/// </summary>
internal static class GatewayBench
{
    private static readonly string Usage = VerbCatalog.Usage("bench", "gateway");

    public static async Task<int> RunAsync(VerbArguments arguments)
    {
        if (arguments.Sub != "gateway" || arguments.Positional.Count > 0)
        {
            throw new CommandLineException(Usage);
        }

        var clients = arguments.PositiveInt("clients", 64);
        var requests = arguments.PositiveInt("requests", 2000);
        var keyCount = arguments.PositiveInt("keys", 1);
        var warmup = arguments.Optional("warmup") is null ? Math.Min(200, requests) : arguments.PositiveInt("warmup", 0);
        var endpoint = arguments.Optional("endpoint") ?? "models";
        if (endpoint is not ("models" or "completions"))
        {
            throw new CommandLineException($"--endpoint must be models or completions, got '{endpoint}'");
        }

        var limitSet = arguments.Optional("limits") ?? "all";
        var limits = limitSet switch
        {
            // Every limit on (so every check runs), high enough never to refuse.
            "all" => new ApiKeyLimits(RequestsPerMinute: 100_000_000, TokensPerMinute: 1_000_000_000, MaxConcurrency: clients * 2, ExpiresAt: null),
            "requests" => new ApiKeyLimits(RequestsPerMinute: 100_000_000, null, null, null),
            "none" => ApiKeyLimits.None,
            _ => throw new CommandLineException($"--limits must be all, requests or none, got '{limitSet}'"),
        };

        var dataDirectory = Path.Combine(Path.GetTempPath(), "akashml-bench-" + Guid.NewGuid().ToString("N"));
        var postgres = arguments.Optional("postgres") is { Length: > 0 } admin ? await BenchDatabase.CreateAsync(admin) : null;
        try
        {
            var result = await MeasureAsync(dataDirectory, postgres?.ConnectionString, clients, requests, keyCount, warmup, endpoint, limits);
            result["limits"] = limitSet;
            Console.WriteLine(arguments.Flag("json") ? result.ToJsonString() : Describe(result));
            return 0;
        }
        finally
        {
            if (postgres is not null)
            {
                await postgres.DropAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private static async Task<JsonObject> MeasureAsync(string dataDirectory, string? postgres, int clients, int requests, int keyCount, int warmup, string endpoint, ApiKeyLimits limits)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, ContentRootPath = AppContext.BaseDirectory, ApplicationName = HostEntry.ApplicationName });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AkashML:DataDirectory"] = dataDirectory,
            ["ConnectionStrings:Postgres"] = postgres ?? "",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddAkashMLHost();
        await using var app = builder.Build();
        await app.PrepareAsync();
        app.UseAkashMLPipeline();
        await app.StartAsync();
        try
        {
            var secrets = await CreateKeysAsync(app, keyCount, limits);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = new Uri(app.Urls.First()),
                Timeout = TimeSpan.FromMinutes(5),
            };

            var recording = false;
            var measured = new ConcurrentDictionary<string, ConcurrentQueue<double>>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
            {
                if (Volatile.Read(ref recording))
                {
                    measured.GetOrAdd(instrument.Name, _ => new ConcurrentQueue<double>()).Enqueue(value);
                }
            });
            listener.Start();

            await DriveAsync(http, secrets, endpoint, clients, warmup, new ConcurrentQueue<double>());
            Volatile.Write(ref recording, true);
            var endToEnd = new ConcurrentQueue<double>();
            var clock = Stopwatch.StartNew();
            var failures = await DriveAsync(http, secrets, endpoint, clients, requests, endToEnd);
            clock.Stop();
            Volatile.Write(ref recording, false);

            return new JsonObject
            {
                ["database"] = postgres is null ? "sqlite" : "postgres",
                ["endpoint"] = endpoint == "models" ? "GET /v1/models" : "POST /v1/completions (max_tokens 1)",
                ["clients"] = clients,
                ["requests"] = requests,
                ["keys"] = keyCount,
                ["failed"] = failures,
                ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
                ["requests_per_second"] = Math.Round(requests / clock.Elapsed.TotalSeconds, 1),
                ["gateway_ms"] = Percentiles(measured.GetValueOrDefault(GatewayMetrics.TotalInstrument)),
                ["auth_ms"] = Percentiles(measured.GetValueOrDefault(GatewayMetrics.AuthInstrument)),
                ["limits_ms"] = Percentiles(measured.GetValueOrDefault(GatewayMetrics.LimitsInstrument)),
                ["request_ms"] = Percentiles(endToEnd),
            };
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static async Task<IReadOnlyList<string>> CreateKeysAsync(WebApplication app, int keyCount, ApiKeyLimits limits)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountProvisioning>();
        var keys = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
        var user = await accounts.CreateConfirmedUserAsync("bench-" + Guid.NewGuid().ToString("N") + "@example.test", null, admin: false);
        // Enough credit that generating requests are never refused for money ($1,000).
        await scope.ServiceProvider.GetRequiredService<CreditLedger>()
            .GrantAsync(user.Id, CreditSource.AdminGrant, 1_000_000_000, null, "bench gateway", null, CancellationToken.None);
        var secrets = new List<string>(keyCount);
        for (var i = 0; i < keyCount; i++)
        {
            secrets.Add((await keys.CreateAsync(user.Id, "bench " + i.ToString(CultureInfo.InvariantCulture), limits, CancellationToken.None)).Secret);
        }

        return secrets;
    }

    /// <summary>Sends <paramref name="total"/> requests from <paramref name="clients"/> concurrent loops; returns how many failed.</summary>
    private static async Task<int> DriveAsync(HttpClient http, IReadOnlyList<string> secrets, string endpoint, int clients, int total, ConcurrentQueue<double> latencies)
    {
        var next = -1;
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                using var request = endpoint == "models"
                    ? new HttpRequestMessage(HttpMethod.Get, "/v1/models")
                    : new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
                    {
                        Content = new StringContent("""{"model":"akashml/tiny-random","prompt":"Hello","max_tokens":1}""", Encoding.UTF8, "application/json"),
                    };
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secrets[i % secrets.Count]);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                latencies.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        return failures;
    }

    private static JsonObject Percentiles(IEnumerable<double>? values)
    {
        var sorted = (values ?? []).Order().ToArray();
        if (sorted.Length == 0)
        {
            return new JsonObject { ["count"] = 0 };
        }

        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new JsonObject
        {
            ["count"] = sorted.Length,
            ["p50"] = Math.Round(At(0.50), 4),
            ["p90"] = Math.Round(At(0.90), 4),
            ["p99"] = Math.Round(At(0.99), 4),
            ["max"] = Math.Round(sorted[^1], 4),
            ["mean"] = Math.Round(sorted.Average(), 4),
        };
    }

    private static string Describe(JsonObject result)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"gateway bench: {result["database"]}, {result["endpoint"]}, {result["clients"]} clients, {result["requests"]} requests, {result["keys"]} key(s), limits {result["limits"]}, {result["failed"]} failed, {result["requests_per_second"]} req/s");
        foreach (var (label, name) in new[] { ("auth+limits", "gateway_ms"), ("  auth", "auth_ms"), ("  limits", "limits_ms"), ("request (client)", "request_ms") })
        {
            var p = result[name]!.AsObject();
            var line = p["count"]!.GetValue<int>() == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{label,-17} no measurements")
                : string.Create(CultureInfo.InvariantCulture, $"{label,-17} p50 {p["p50"]} ms  p90 {p["p90"]} ms  p99 {p["p99"]} ms  max {p["max"]} ms  (n={p["count"]})");
            text.AppendLine(line);
        }

        return text.ToString().TrimEnd();
    }


    /// <summary>A database created for one bench run on a server the caller names, dropped afterwards.</summary>
    private sealed class BenchDatabase(string admin, string name, string connectionString)
    {
        public string ConnectionString { get; } = connectionString;

        public static async Task<BenchDatabase> CreateAsync(string admin)
        {
            var name = "akashml_bench_" + Guid.NewGuid().ToString("N");
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await create.ExecuteNonQueryAsync();
            }

            return new BenchDatabase(admin, name, new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString);
        }

        public async Task DropAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
