using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Inference.Serving;
using AkashML.Web.Accounts;
using AkashML.Web.Cli;
using AkashML.Web.Hosting;
using AkashML.Web.Keys;

namespace AkashML.Bench.Cli;

/// <summary>
/// <c>bench api [--clients 1,8,64] [--requests 400] [--warmup 0] [--model ID] [--max-tokens 1] [--prompt TEXT]</c>: serves this
/// host on a loopback port, then fires bounded bursts of completions (1 token by default: the API layer's own cost) with the given numbers of concurrent clients and prints requests/s and the
/// latency the API layer adds (end-to-end latency minus the engine's own time for the same 1-token job, measured
/// in-process first) and the process's CPU time per request. <c>--warmup</c> first sends that many requests at the
/// largest client count, unmeasured, so tiered JIT settles. With <c>--max-tokens</c> above 1 it also prints the aggregate
/// completion tokens per second the clients received, to compare with <c>bench engine --streams N</c>. Uses the configured database: point <c>--AkashML:DataDirectory</c> at a scratch folder.
/// </summary>
internal static class ApiBenchmark
{
    public static async Task<int> RunAsync(WebApplication app, VerbArguments arguments)
    {
        var clientCounts = (arguments.Optional("clients") ?? "1,8,64").Split(',')
            .Select(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new CommandLineException($"--clients takes positive numbers, got '{c}'"))
            .ToArray();
        var requests = int.TryParse(arguments.Optional("requests") ?? "400", NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0
            ? r : throw new CommandLineException("--requests must be a positive number");
        var warmup = int.TryParse(arguments.Optional("warmup") ?? "0", NumberStyles.None, CultureInfo.InvariantCulture, out var w)
            ? w : throw new CommandLineException("--warmup must be a number of requests");
        var maxTokens = int.TryParse(arguments.Optional("max-tokens") ?? "1", NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m > 0
            ? m : throw new CommandLineException("--max-tokens must be a positive number");
        var prompt = arguments.Optional("prompt") ?? "Hello";

        await app.PrepareAsync();
        app.UseAkashMLPipeline();
        app.Urls.Clear();
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync();
        try
        {
            var models = app.Services.GetRequiredService<IModelProvider>();
            var modelId = arguments.Optional("model") ?? models.List().FirstOrDefault()?.Id ?? throw new CommandLineException("no model to benchmark");
            var key = await CreateBenchKeyAsync(app.Services);
            var engineMs = await EngineLatencyAsync(await models.GetAsync(modelId, CancellationToken.None), requests: 50);

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var body = new JsonObject { ["model"] = modelId, ["prompt"] = prompt, ["max_tokens"] = maxTokens, ["temperature"] = 0 }.ToJsonString();
            await SendAsync(http, body);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model {modelId}; engine time for a 1-token completion: p50 {engineMs:0.000} ms"));
            Console.WriteLine("clients  requests  req/s     p50 ms   p99 ms   added p50 ms  added p99 ms  cpu ms/req  completion tok/s");
            if (warmup > 0)
            {
                // Let tiered JIT and the caches settle, so the rounds below measure the steady state.
                _ = await RoundAsync(http, body, clientCounts.Max(), warmup);
            }

            foreach (var clients in clientCounts)
            {
                var cpu = Environment.CpuUsage.TotalTime;
                var wall = Stopwatch.StartNew();
                var (latencies, completionTokens) = await RoundAsync(http, body, clients, requests);
                wall.Stop();

                // The machine may be shared: CPU time per request (server and client together) is steadier than wall time.
                var cpuPerRequest = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds / requests;
                var p50 = Percentile(latencies, 0.50);
                var p99 = Percentile(latencies, 0.99);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{clients,7}  {requests,8}  {requests / wall.Elapsed.TotalSeconds,8:0.0}  {p50,7:0.00}  {p99,7:0.00}  {p50 - engineMs,12:0.00}  {p99 - engineMs,12:0.00}  {cpuPerRequest,10:0.00}  {completionTokens / wall.Elapsed.TotalSeconds,16:0}"));
            }
        }
        finally
        {
            await app.StopAsync();
        }

        return 0;
    }

    /// <summary>
    /// Sends <paramref name="requests"/> requests from <paramref name="clients"/> concurrent clients; returns the sorted
    /// latencies and the completion tokens the answers reported.
    /// </summary>
    private static async Task<(double[] Latencies, long CompletionTokens)> RoundAsync(HttpClient http, string body, int clients, int requests)
    {
        var latencies = new double[requests];
        long completionTokens = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                var produced = await SendAsync(http, body);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Interlocked.Add(ref completionTokens, produced);
            }
        }));
        Array.Sort(latencies);
        return (latencies, completionTokens);
    }

    /// <summary>Sends one completion; returns the completion tokens its usage reports.</summary>
    private static async Task<int> SendAsync(HttpClient http, string body)
    {
        using var response = await http.PostAsync("v1/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new CommandLineException($"the API answered {(int)response.StatusCode}: {text}");
        }

        using var answer = JsonDocument.Parse(text);
        return answer.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
    }

    /// <summary>The engine's own median time for the same job, so the API's share can be told apart.</summary>
    private static async Task<double> EngineLatencyAsync(ITextModel model, int requests)
    {
        var prompt = model.EncodePrompt("Hello", isRenderedChat: false);
        var times = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await foreach (var update in model.GenerateAsync(new GenerationRequest { PromptTokens = prompt, MaxNewTokens = 1, Temperature = 0 }, CancellationToken.None))
            {
                _ = update;
            }

            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        return Percentile(times, 0.5);
    }

    private static async Task<string> CreateBenchKeyAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<AccountProvisioning>()
            .CreateConfirmedUserAsync($"bench-{Guid.NewGuid():N}@akashml.local", null, admin: false);
        await scope.ServiceProvider.GetRequiredService<CreditLedger>()
            .GrantAsync(user.Id, CreditSource.AdminGrant, 1_000_000_000, null, "bench api", null, CancellationToken.None);
        return (await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "bench", ApiKeyLimits.None, CancellationToken.None)).Secret;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
