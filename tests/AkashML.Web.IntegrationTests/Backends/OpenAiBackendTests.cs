using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Web.Backends;
using Anthropic;
using Anthropic.Models.Messages;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace AkashML.Web.IntegrationTests.Backends;

/// <summary>
/// A gateway host whose model is served by an <c>openai</c> backend: a second AkashML host's <c>/v1</c>, reached over
/// real HTTP with a key made for it. The caller is charged exactly what the upstream counted.
/// </summary>
public sealed class OpenAiBackendTests(UpstreamFixture fixture) : IClassFixture<UpstreamFixture>
{
    private KeyedHost Upstream => fixture.Upstream;

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Chat_and_completions_streamed_or_not_are_served_upstream_with_its_usage_and_charged(DatabaseKind kind)
    {
        await using var gateway = await KeyedHost.StartAsync(kind, KeyedHost.Backends(("openai", Upstream.ApiBase, Upstream.ApiKey, 8, 16, true)));
        var before = await gateway.BalanceMicrosAsync();
        var costs = new List<long>();
        var chat = gateway.OpenAi().GetChatClient(KeyedHost.Model);

        var counts = await CountsAsync(gateway);
        var answer = (await chat.CompleteChatAsync([new UserChatMessage("Say hello")], new ChatCompletionOptions { MaxOutputTokenCount = 8 })).Value;
        costs.Add(await AssertSameUsageAsync(gateway, counts, answer.Usage.InputTokenCount, answer.Usage.OutputTokenCount));
        Assert.False((await gateway.NextUsageAsync(0)).Streamed);

        counts = await CountsAsync(gateway);

        ChatTokenUsage? streamedUsage = null;
        var streamedText = new StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Count to five")], new ChatCompletionOptions { MaxOutputTokenCount = 8 }))
        {
            streamedText.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
            streamedUsage = update.Usage ?? streamedUsage;
        }

        Assert.NotNull(streamedUsage);
        costs.Add(await AssertSameUsageAsync(gateway, counts, streamedUsage.InputTokenCount, streamedUsage.OutputTokenCount));
        Assert.True((await gateway.NextUsageAsync(0)).Streamed);
        Assert.NotEqual("", streamedText.ToString());

        using var http = gateway.Http();
        counts = await CountsAsync(gateway);
        using var completion = await http.PostAsync("v1/completions", Json(new JsonObject { ["model"] = KeyedHost.Model, ["prompt"] = "Once upon a time", ["max_tokens"] = 6 }));
        completion.EnsureSuccessStatusCode();
        var usage = JsonNode.Parse(await completion.Content.ReadAsStringAsync())!["usage"]!;
        costs.Add(await AssertSameUsageAsync(gateway, counts, usage["prompt_tokens"]!.GetValue<int>(), usage["completion_tokens"]!.GetValue<int>()));

        counts = await CountsAsync(gateway);
        using var streamed = await http.PostAsync("v1/completions", Json(new JsonObject
        {
            ["model"] = KeyedHost.Model, ["prompt"] = "The end", ["max_tokens"] = 6, ["stream"] = true, ["stream_options"] = new JsonObject { ["include_usage"] = true },
        }));
        streamed.EnsureSuccessStatusCode();
        var events = (await streamed.Content.ReadAsStringAsync()).Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l[6..])!).ToList();
        var streamedCompletionUsage = events.Last(e => e["usage"] is JsonObject)["usage"]!;
        costs.Add(await AssertSameUsageAsync(gateway, counts, streamedCompletionUsage["prompt_tokens"]!.GetValue<int>(), streamedCompletionUsage["completion_tokens"]!.GetValue<int>()));

        Assert.Equal(before - costs.Sum(), await gateway.BalanceMicrosAsync());
        Assert.Equal(4, gateway.Pool.Backends[0].Served);
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task The_anthropic_route_streamed_or_not_is_served_upstream_with_its_usage_and_charged(DatabaseKind kind)
    {
        // The gateway speaks Anthropic to the caller and OpenAI to the upstream; the caller is charged what the upstream counted.
        await using var gateway = await KeyedHost.StartAsync(kind, KeyedHost.Backends(("openai", Upstream.ApiBase, Upstream.ApiKey, 8, 16, true)));
        var before = await gateway.BalanceMicrosAsync();
        var anthropic = SdkClients.Anthropic(gateway.BaseAddress, gateway.ApiKey);
        MessageCreateParams Ask(string text) => new()
        {
            Model = KeyedHost.Model,
            MaxTokens = 8,
            Messages = [new MessageParam(new UserMessageParam(text), null)],
        };

        var counts = await CountsAsync(gateway);
        var message = await anthropic.Messages.Create(Ask("Say hello"), CancellationToken.None);
        Assert.True(message.Content[0].TryPickText(out var text) && text!.Text.Length > 0);
        var costs = new List<long> { await AssertSameUsageAsync(gateway, counts, (int)message.Usage.InputTokens, (int)message.Usage.OutputTokens) };

        counts = await CountsAsync(gateway);
        long? inputTokens = null;
        long? outputTokens = null;
        var streamedText = new StringBuilder();
        await foreach (var streamed in anthropic.Messages.CreateStreaming(Ask("Count to five"), CancellationToken.None))
        {
            if (streamed.TryPickStart(out var start))
            {
                inputTokens = start!.Message.Usage.InputTokens;
            }

            if (streamed.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickText(out var textDelta))
            {
                streamedText.Append(textDelta!.Text);
            }

            if (streamed.TryPickDelta(out var messageDelta))
            {
                outputTokens = messageDelta!.Usage.OutputTokens;
            }
        }

        Assert.NotEqual("", streamedText.ToString());
        costs.Add(await AssertSameUsageAsync(gateway, counts, (int)inputTokens!.Value, (int)outputTokens!.Value));
        Assert.True((await gateway.NextUsageAsync(1)).Streamed);
        Assert.Equal(before - costs.Sum(), await gateway.BalanceMicrosAsync());
        Assert.Equal(2, gateway.Pool.Backends[0].Served);
    }

    [Fact]
    public async Task What_an_openai_upstream_cannot_do_is_refused_with_400_naming_the_parameter()
    {
        await using var gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite, KeyedHost.Backends(("openai", Upstream.ApiBase, Upstream.ApiKey, 8, 16, true)));
        using var http = gateway.Http();
        using var response = await http.PostAsync("v1/chat/completions", Json(new JsonObject
        {
            ["model"] = KeyedHost.Model, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }), ["max_tokens"] = 4, ["logprobs"] = true,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("logprobs", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["param"]!.GetValue<string>());
        Assert.Equal(0, gateway.Pool.Backends[0].Served);
    }

    [Fact]
    public async Task A_dead_backend_is_skipped_before_the_first_token_and_marked_unhealthy()
    {
        var settings = KeyedHost.Backends(("openai", KeyedHost.ClosedPortUrl(), null, 8, 16, true), ("openai", Upstream.ApiBase, Upstream.ApiKey, 8, 16, true));
        // Probes rarely, so the requests themselves find the dead backend (passive ejection after two failures).
        settings["Backends:HealthCheck:Interval"] = "01:00:00";
        settings["Backends:HealthCheck:UnhealthyThreshold"] = "2";
        await using var gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite, settings);
        var chat = gateway.OpenAi().GetChatClient(KeyedHost.Model);
        for (var i = 0; i < 5; i++)
        {
            var answer = (await chat.CompleteChatAsync([new UserChatMessage($"Request {i}")], new ChatCompletionOptions { MaxOutputTokenCount = 4 })).Value;
            Assert.True(answer.Usage.OutputTokenCount > 0);
        }

        var (dead, survivor) = (gateway.Pool.Backends[0], gateway.Pool.Backends[1]);
        Assert.False(dead.Healthy);
        Assert.Equal(1.0, dead.Recent.ErrorRate);
        Assert.Equal(5, survivor.Served);
        Assert.Equal(0.0, survivor.Recent.ErrorRate);
        Assert.NotNull(survivor.Recent.MedianMs);
    }

    [Fact]
    public async Task A_drained_backend_gets_no_new_requests_until_undrained()
    {
        await using var gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite,
            KeyedHost.Backends(("openai", Upstream.ApiBase, Upstream.ApiKey, 8, 16, true), ("openai", Upstream.ApiBase, Upstream.ApiKey, 8, 16, true)));
        var chat = gateway.OpenAi().GetChatClient(KeyedHost.Model);
        var (first, second) = (gateway.Pool.Backends[0], gateway.Pool.Backends[1]);

        var drains = gateway.Host.Services.GetRequiredService<BackendDrains>();
        await drains.DrainAsync(gateway.Pool, first, CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            await chat.CompleteChatAsync([new UserChatMessage($"Drained {i}")], new ChatCompletionOptions { MaxOutputTokenCount = 2 });
        }

        Assert.Equal((0, 3), (first.Served, second.Served));

        await drains.UndrainAsync(gateway.Pool, first, CancellationToken.None);
        await chat.CompleteChatAsync([new UserChatMessage("Back")], new ChatCompletionOptions { MaxOutputTokenCount = 2 });
        Assert.Equal(1, first.Served);
    }

    /// <summary>The gateway's newest record matches what it answered and the upstream's newest record; returns its cost.</summary>
    private async Task<long> AssertSameUsageAsync(KeyedHost gateway, (int Ours, int Theirs) before, int promptTokens, int completionTokens)
    {
        var ours = await gateway.NextUsageAsync(before.Ours);
        var theirs = await Upstream.NextUsageAsync(before.Theirs);
        Assert.Equal((theirs.PromptTokens, theirs.CompletionTokens), (ours.PromptTokens, ours.CompletionTokens));
        Assert.Equal((promptTokens, completionTokens), (ours.PromptTokens, ours.CompletionTokens));
        Assert.Equal("ok", ours.Status);
        Assert.NotNull(ours.QueueMs);
        Assert.True(ours.CostMicros > 0);
        return ours.CostMicros;
    }

    private async Task<(int Ours, int Theirs)> CountsAsync(KeyedHost gateway) => (await gateway.UsageCountAsync(), await Upstream.UsageCountAsync());

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}
