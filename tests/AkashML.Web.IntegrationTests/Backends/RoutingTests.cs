using System.Text;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Backends;

/// <summary>How a routed model picks a backend, and how it counts what an upstream does not.</summary>
public sealed class RoutingTests
{
    private const string Completion = """{"model":"akashml/tiny-random","prompt":"hold","max_tokens":4}""";

    [Fact]
    public async Task Requests_go_to_the_backend_with_the_fewest_outstanding_requests_per_unit_of_weight()
    {
        await using var upstream = await HeldUpstream.StartAsync();
        var settings = KeyedHost.Backends(("openai", upstream.BaseUrl, null, 8, 16, true), ("openai", upstream.BaseUrl, null, 8, 16, true));
        settings[$"Backends:Models:{KeyedHost.Model}:1:Weight"] = "2";
        await using var gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite, settings);
        using var http = gateway.Http();

        // Held requests stay outstanding: 0/1 vs 0/2 (a tie: the first), then 1/1 vs 0/2, then 1/1 vs 1/2.
        var held = new List<Task<HttpResponseMessage>>();
        for (var i = 1; i <= 3; i++)
        {
            held.Add(http.PostAsync("v1/completions", new StringContent(Completion, Encoding.UTF8, "application/json")));
            var started = i;
            await KeyedHost.UntilAsync(() => upstream.Started == started, $"request {started} reached the upstream");
        }

        Assert.Equal((1, 2), (gateway.Pool.Backends[0].InFlight, gateway.Pool.Backends[1].InFlight));
        upstream.Release();
        foreach (var response in await Task.WhenAll(held))
        {
            using (response)
            {
                response.EnsureSuccessStatusCode();
            }
        }

        Assert.Equal((1, 2), (gateway.Pool.Backends[0].Served, gateway.Pool.Backends[1].Served));
    }

    [Fact]
    public async Task Without_the_upstreams_usage_our_tokenizer_counts_the_prompt_and_the_text()
    {
        await using var upstream = await HeldUpstream.StartAsync(sendsUsage: false);
        upstream.Release();
        await using var gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite, KeyedHost.Backends(("openai", upstream.BaseUrl, null, 8, 16, true)));
        using var http = gateway.Http();

        using var response = await http.PostAsync("v1/completions", new StringContent(Completion, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        var usage = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["usage"]!;

        var model = await gateway.Host.Services.GetRequiredService<IModelProvider>().GetAsync(KeyedHost.Model, CancellationToken.None);
        Assert.Equal(model.EncodePrompt("hold", isRenderedChat: false).Count, usage["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(model.Tokenizer.Encode("Held free").Count, usage["completion_tokens"]!.GetValue<int>());
        var record = await gateway.UsageAsync(response.Headers.GetValues("Inference-Id").Single());
        Assert.Equal(usage["completion_tokens"]!.GetValue<int>(), record!.CompletionTokens);
        Assert.True(record.CostMicros > 0);
    }
}
