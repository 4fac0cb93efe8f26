using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Bench.Backends;
using AkashML.Inference.Catalog;
using AkashML.Web.Cli;

namespace AkashML.Bench.Cli;

/// <summary>
/// <c>bench backends [--model ID] [--requests 50] [--streams 8] [--stream-tokens 64] [--stream-requests 4] [--json]</c>:
/// what routing through a backend adds. Starts, in this process on loopback ports, a host serving the model itself
/// (<c>local</c>), two inference nodes, a second full host as an <c>openai</c> upstream, and gateway-role hosts routing
/// the model to one node, to the upstream, and to both nodes. Then, interleaved so drift hits every row alike,
/// <c>--requests</c> completions of 1 and of 32 tokens through each of local, node and openai (p50/p99 and what each adds
/// to local's), and aggregate tokens/s of <c>--streams</c> concurrent streams through a gateway with one node and with two.
/// All hosts share the caller's models directory and use throw-away SQLite data directories.
/// </summary>
internal static class BackendsBench
{
    private const string Secret = "bench-backends-node-secret-0123456789";
    private static readonly int[] TokenCounts = [1, 32];

    public static async Task<int> RunAsync(WebApplication app, VerbArguments arguments)
    {
        if (arguments.Positional.Count > 0)
        {
            throw new CommandLineException(VerbCatalog.Usage("bench", "backends"));
        }

        var requests = arguments.PositiveInt("requests", 50);
        var streams = arguments.PositiveInt("streams", 8);
        var streamTokens = arguments.PositiveInt("stream-tokens", 64);
        var streamRequests = arguments.PositiveInt("stream-requests", 4);
        var json = arguments.Switch("json");
        var catalog = app.Services.GetRequiredService<ModelCatalog>();
        var model = arguments.Optional("model") ?? catalog.List().FirstOrDefault()?.Id ?? ModelCatalog.TinyRandomId;
        if (arguments.Optional("model") is not null && catalog.Find(model) is null)
        {
            throw new CommandLineException($"--model '{model}' is not a model id in {catalog.ModelsDirectory} (see `models list`)");
        }

        var root = Path.Combine(Path.GetTempPath(), "akashml-bench-backends-" + Guid.NewGuid().ToString("N"));
        var hosts = new List<BenchHost>();
        async Task<BenchHost> StartAsync(string name, Dictionary<string, string?> settings)
        {
            var host = await BenchHost.StartAsync(Path.Combine(root, name), catalog.ModelsDirectory, settings);
            hosts.Add(host);
            return host;
        }

        try
        {
            // The local host first: on an empty models directory it builds the smoke-test model the others then read.
            var local = await StartAsync("local", new() { ["Host:Role"] = "all" });
            var upstream = await StartAsync("upstream", new() { ["Host:Role"] = "all" });
            var node = new Dictionary<string, string?> { ["Host:Role"] = "inference", ["Nodes:SharedSecret"] = Secret };
            var firstNode = await StartAsync("node-1", new(node));
            var secondNode = await StartAsync("node-2", new(node));
            var viaNode = await StartAsync("gateway-node", Gateway(model, ("node", firstNode.Address.ToString(), Secret)));
            var viaOpenAi = await StartAsync("gateway-openai", Gateway(model, ("openai", upstream.ApiBase, upstream.ApiKey!)));
            var viaTwoNodes = await StartAsync("gateway-two-nodes", Gateway(model, ("node", firstNode.Address.ToString(), Secret), ("node", secondNode.Address.ToString(), Secret)));

            using var localClient = new BenchClient(local, model, streams);
            using var nodeClient = new BenchClient(viaNode, model, streams);
            using var openAiClient = new BenchClient(viaOpenAi, model, streams);
            using var twoNodesClient = new BenchClient(viaTwoNodes, model, streams);
            var targets = new (string Backend, BenchClient Client)[] { ("local", localClient), ("node", nodeClient), ("openai", openAiClient) };

            // Loads the model everywhere (first requests open sessions) and warms the JIT on every path.
            foreach (var client in new[] { localClient, nodeClient, openAiClient, twoNodesClient })
            {
                for (var i = 0; i < 3; i++)
                {
                    await client.CompleteAsync(TokenCounts[^1]);
                    await client.StreamAsync(4);
                }
            }

            var latencies = targets.SelectMany(t => TokenCounts.Select(n => (t.Backend, n))).ToDictionary(k => k, _ => new List<double>());
            var produced = latencies.Keys.ToDictionary(k => k, _ => 0L);
            for (var i = 0; i < requests; i++)
            {
                foreach (var tokens in TokenCounts)
                {
                    foreach (var (backend, client) in targets)
                    {
                        var (ms, completion) = await client.CompleteAsync(tokens);
                        latencies[(backend, tokens)].Add(ms);
                        produced[(backend, tokens)] += completion;
                    }
                }
            }

            var latencyRows = new JsonArray();
            foreach (var tokens in TokenCounts)
            {
                var baseline = latencies[("local", tokens)].Order().ToArray();
                foreach (var (backend, _) in targets)
                {
                    var sorted = latencies[(backend, tokens)].Order().ToArray();
                    latencyRows.Add(new JsonObject
                    {
                        ["backend"] = backend,
                        ["max_tokens"] = tokens,
                        ["requests"] = sorted.Length,
                        ["mean_completion_tokens"] = Math.Round((double)produced[(backend, tokens)] / sorted.Length, 2),
                        ["p50_ms"] = Math.Round(Percentile(sorted, 0.50), 3),
                        ["p99_ms"] = Math.Round(Percentile(sorted, 0.99), 3),
                        ["added_p50_ms"] = Math.Round(Percentile(sorted, 0.50) - Percentile(baseline, 0.50), 3),
                        ["added_p99_ms"] = Math.Round(Percentile(sorted, 0.99) - Percentile(baseline, 0.99), 3),
                    });
                }
            }

            var throughputRows = new JsonArray();
            foreach (var (nodes, client) in new[] { (1, nodeClient), (2, twoNodesClient) })
            {
                var clock = Stopwatch.StartNew();
                var counts = await Task.WhenAll(Enumerable.Range(0, streams).Select(async _ =>
                {
                    var total = 0L;
                    for (var r = 0; r < streamRequests; r++)
                    {
                        total += await client.StreamAsync(streamTokens);
                    }

                    return total;
                }));
                clock.Stop();
                throughputRows.Add(new JsonObject
                {
                    ["nodes"] = nodes,
                    ["streams"] = streams,
                    ["requests"] = streams * streamRequests,
                    ["completion_tokens"] = counts.Sum(),
                    ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
                    ["tokens_per_s"] = Math.Round(counts.Sum() / clock.Elapsed.TotalSeconds, 1),
                });
            }

            var result = new JsonObject
            {
                ["model"] = model,
                ["requests"] = requests,
                ["latency"] = latencyRows,
                ["throughput"] = throughputRows,
            };
            Console.WriteLine(json ? result.ToJsonString() : Describe(result, streamTokens));
            return 0;
        }
        finally
        {
            for (var i = hosts.Count - 1; i >= 0; i--)
            {
                await hosts[i].DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    /// <summary>A gateway-role host's settings routing <paramref name="model"/> to these backends.</summary>
    private static Dictionary<string, string?> Gateway(string model, params (string Kind, string BaseUrl, string ApiKey)[] backends)
    {
        var settings = new Dictionary<string, string?> { ["Host:Role"] = "gateway" };
        for (var i = 0; i < backends.Length; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"Backends:Models:{model}:{i}:");
            settings[prefix + "Kind"] = backends[i].Kind;
            settings[prefix + "BaseUrl"] = backends[i].BaseUrl;
            settings[prefix + "ApiKey"] = backends[i].ApiKey;
            settings[prefix + "UpstreamModel"] = backends[i].Kind == "openai" ? model : null;
        }

        return settings;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Describe(JsonObject result, int streamTokens)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"backends bench: {result["model"]}, {result["requests"]} requests per row, interleaved");
        text.AppendLine("backend  max_tokens  mean tokens  p50 ms    p99 ms    added p50 ms  added p99 ms");
        foreach (var row in result["latency"]!.AsArray())
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{row!["backend"],-7}  {row["max_tokens"],10}  {row["mean_completion_tokens"],11}  {row["p50_ms"],8}  {row["p99_ms"],8}  {row["added_p50_ms"],12}  {row["added_p99_ms"],12}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"gateway throughput ({streamTokens}-token streams)");
        foreach (var row in result["throughput"]!.AsArray())
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{row!["nodes"]} node(s), {row["streams"]} streams: {row["tokens_per_s"]} tokens/s ({row["completion_tokens"]} tokens in {row["seconds"]} s)");
        }

        return text.ToString().TrimEnd();
    }
}
