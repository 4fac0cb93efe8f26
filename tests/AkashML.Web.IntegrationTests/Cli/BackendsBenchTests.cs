using System.Text.Json.Nodes;
using AkashML.Web.IntegrationTests.Infrastructure;

namespace AkashML.Web.IntegrationTests.Cli;

/// <summary>
/// <c>bench backends</c> runs end to end with tiny counts (its seven hosts start, every path answers) and reports every
/// row: 1- and 32-token latency for local, node and openai, and gateway throughput with one node and with two.
/// Figures are not judged: a bench is a program, not a timed assertion.
/// </summary>
public sealed class BackendsBenchTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "akashml-cli-bench-backends-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task A_tiny_run_reports_latency_for_every_backend_and_throughput_for_one_and_two_nodes()
    {
        var environment = new Dictionary<string, string?> { ["Models__Directory"] = await SharedModels.DirectoryAsync() };
        var run = await HostCli.RunAsync(_data, environment, "bench", "backends", "--requests", "2", "--streams", "2", "--stream-tokens", "4", "--stream-requests", "1", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());

        var result = JsonNode.Parse(run.Stdout.Trim().Split('\n')[^1])!;
        Assert.Equal("akashml/tiny-random", result["model"]!.GetValue<string>());
        var latency = result["latency"]!.AsArray();
        foreach (var backend in new[] { "local", "node", "openai" })
        {
            foreach (var tokens in new[] { 1, 32 })
            {
                var row = Assert.Single(latency, r => r!["backend"]!.GetValue<string>() == backend && r["max_tokens"]!.GetValue<int>() == tokens)!;
                Assert.Equal(2, row["requests"]!.GetValue<int>());
                Assert.InRange(row["mean_completion_tokens"]!.GetValue<double>(), 1, tokens);
                Assert.True(row["p50_ms"]!.GetValue<double>() > 0 && row["p99_ms"]!.GetValue<double>() >= row["p50_ms"]!.GetValue<double>(), row.ToJsonString());
                Assert.NotNull(row["added_p50_ms"]);
                Assert.NotNull(row["added_p99_ms"]);
            }
        }

        Assert.Equal(6, latency.Count);
        var throughput = result["throughput"]!.AsArray();
        Assert.Equal([1, 2], throughput.Select(r => r!["nodes"]!.GetValue<int>()));
        Assert.All(throughput, r =>
        {
            Assert.Equal(2, r!["streams"]!.GetValue<int>());
            Assert.InRange(r["completion_tokens"]!.GetValue<long>(), 2, 8);
            Assert.True(r["tokens_per_s"]!.GetValue<double>() > 0);
        });
    }
}
