using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AkashML.Web.IntegrationTests.Api;

public sealed class MeteringTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    [Fact]
    public async Task A_request_is_charged_its_tokens_at_the_model_price_and_recorded()
    {
        var before = await fixture.BalanceMicrosAsync();
        using var http = fixture.Http();
        using var response = await http.PostAsync("v1/completions", new StringContent(
            new JsonObject { ["model"] = ApiHostFixture.Model, ["prompt"] = "Price me", ["max_tokens"] = 5 }.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        var usage = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["usage"]!;
        var prompt = usage["prompt_tokens"]!.GetValue<int>();
        var completion = usage["completion_tokens"]!.GetValue<int>();
        var record = await fixture.AwaitUsageAsync(response.Headers.GetValues("Inference-Id").Single());

        // Default prices: $0.10 and $0.20 per million tokens, each side rounded up to a whole micro-dollar.
        var expected = (long)Math.Ceiling(prompt * 0.10m) + (long)Math.Ceiling(completion * 0.20m);
        Assert.Equal(expected, record!.CostMicros);
        Assert.Equal(before - expected, await fixture.BalanceMicrosAsync());
        Assert.Equal("ok", record.Status);
    }

    [Fact]
    public async Task Concurrent_requests_are_each_charged_once_and_each_get_one_usage_record()
    {
        var before = await fixture.BalanceMicrosAsync();
        using var http = fixture.Http();
        var ids = await Task.WhenAll(Enumerable.Range(0, 48).Select(async i =>
        {
            using var response = await http.PostAsync("v1/completions", new StringContent(
                new JsonObject { ["model"] = ApiHostFixture.Model, ["prompt"] = $"Concurrent {i}", ["max_tokens"] = 2 }.ToJsonString(), Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
            return response.Headers.GetValues("Inference-Id").Single();
        }));

        var records = new List<Data.Usage.UsageRecord>();
        foreach (var id in ids)
        {
            records.Add(await fixture.AwaitUsageAsync(id) ?? throw new Xunit.Sdk.XunitException($"no usage record for {id}"));
        }

        Assert.All(records, r => Assert.True(r.CostMicros > 0));
        Assert.Equal(before - records.Sum(r => r.CostMicros), await fixture.BalanceMicrosAsync());
    }

    [Fact]
    public async Task Without_credits_the_request_is_refused_with_402_in_each_shape()
    {
        var broke = await fixture.CreateBrokeKeyAsync();
        using var http = fixture.Http(broke);
        using var openAi = await http.PostAsync("v1/chat/completions", new StringContent(
            """{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"max_tokens":3}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.PaymentRequired, openAi.StatusCode);
        Assert.Equal("insufficient_quota", JsonNode.Parse(await openAi.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());

        using var anthropic = await http.PostAsync("anthropic/v1/messages", new StringContent(
            """{"model":"akashml/tiny-random","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.PaymentRequired, anthropic.StatusCode);
        Assert.Equal("billing_error", JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
    }
}
