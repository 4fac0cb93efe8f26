using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Web.IntegrationTests.Infrastructure;
using OpenAI.Chat;

namespace AkashML.Web.IntegrationTests.Backends;

/// <summary>
/// When a routed model cannot be served now: no backend (504), none healthy (529), every slot and queue place taken
/// (529 at once). Each answer is in the route's error shape with <c>Retry-After</c>, before any response starts.
/// </summary>
public sealed class BackendRefusalTests
{
    private const string ChatBody = """{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"max_tokens":3}""";
    private const string MessagesBody = """{"model":"akashml/tiny-random","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task A_model_whose_backends_are_all_disabled_answers_504_with_Retry_After_in_each_shape()
    {
        await using var gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite, KeyedHost.Backends(("local", null, null, 8, 16, false)));

        var sdk = await Assert.ThrowsAsync<ClientResultException>(() => gateway.OpenAi().GetChatClient(KeyedHost.Model).CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(504, sdk.Status);

        using var http = gateway.Http();
        using var openAi = await http.PostAsync("v1/chat/completions", new StringContent(ChatBody, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, openAi.StatusCode);
        Assert.NotNull(openAi.Headers.RetryAfter);
        var openAiError = JsonNode.Parse(await openAi.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("no_backend", openAiError["code"]!.GetValue<string>());
        Assert.Contains("No backend available", openAiError["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var anthropic = await http.PostAsync("anthropic/v1/messages", new StringContent(MessagesBody, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, anthropic.StatusCode);
        Assert.NotNull(anthropic.Headers.RetryAfter);
        var anthropicBody = JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!;
        Assert.Equal("error", anthropicBody["type"]!.GetValue<string>());
        Assert.Contains("No backend available", anthropicBody["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_whose_backends_are_all_unhealthy_answers_529_and_Anthropic_says_overloaded_error()
    {
        await using var gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite, KeyedHost.Backends(("openai", KeyedHost.ClosedPortUrl(), null, 8, 16, true)));
        await KeyedHost.UntilAsync(() => !gateway.Pool.Backends[0].Healthy, "the backend on a closed port is marked unhealthy by its health check");

        var sdk = await Assert.ThrowsAsync<ClientResultException>(() => gateway.OpenAi().GetChatClient(KeyedHost.Model).CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(529, sdk.Status);

        using var http = gateway.Http();
        var streamedChat = ChatBody.Replace("\"max_tokens\":3", "\"max_tokens\":3,\"stream\":true", StringComparison.Ordinal);
        using var openAi = await http.PostAsync("v1/chat/completions", new StringContent(streamedChat, Encoding.UTF8, "application/json"));
        Assert.Equal(529, (int)openAi.StatusCode);
        Assert.NotNull(openAi.Headers.RetryAfter);
        var openAiError = JsonNode.Parse(await openAi.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("overloaded_error", openAiError["type"]!.GetValue<string>());
        Assert.Equal("No healthy backends are available for the requested model.", openAiError["message"]!.GetValue<string>());

        using var anthropic = await http.PostAsync("anthropic/v1/messages", new StringContent(MessagesBody, Encoding.UTF8, "application/json"));
        Assert.Equal(529, (int)anthropic.StatusCode);
        Assert.NotNull(anthropic.Headers.RetryAfter);
        var anthropicBody = JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!;
        Assert.Equal("error", anthropicBody["type"]!.GetValue<string>());
        Assert.Equal("overloaded_error", anthropicBody["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_the_slot_and_the_queue_taken_the_next_request_gets_529_at_once_and_the_queued_one_records_its_wait()
    {
        await using var upstream = await HeldUpstream.StartAsync();
        await using var gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite, KeyedHost.Backends(("openai", upstream.BaseUrl, null, 1, 1, true)));
        using var http = gateway.Http();
        var completion = """{"model":"akashml/tiny-random","prompt":"hold","max_tokens":4}""";

        var first = http.PostAsync("v1/completions", new StringContent(completion, Encoding.UTF8, "application/json"));
        await KeyedHost.UntilAsync(() => upstream.Started == 1, "the first request reached the upstream, which holds it");
        var second = http.PostAsync("v1/completions", new StringContent(completion, Encoding.UTF8, "application/json"));
        await KeyedHost.UntilAsync(() => gateway.Pool.Queued == 1, "the second request waits in the model's queue");

        using (var third = await http.PostAsync("v1/completions", new StringContent(completion, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(529, (int)third.StatusCode);
            Assert.NotNull(third.Headers.RetryAfter);
            Assert.Equal("queue_full", JsonNode.Parse(await third.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        }

        upstream.Release();
        using var firstResponse = await first;
        using var secondResponse = await second;
        foreach (var response in new[] { firstResponse, secondResponse })
        {
            response.EnsureSuccessStatusCode();
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("Held free", body["choices"]![0]!["text"]!.GetValue<string>());
            // The upstream's own count wins over ours (its prompt count is not what our tokenizer makes of "hold").
            Assert.Equal(HeldUpstream.PromptTokens, body["usage"]!["prompt_tokens"]!.GetValue<int>());
            Assert.Equal(2, body["usage"]!["completion_tokens"]!.GetValue<int>());
        }

        var queued = await gateway.UsageAsync(secondResponse.Headers.GetValues("Inference-Id").Single());
        Assert.NotNull(queued!.QueueMs);
        Assert.Equal(HeldUpstream.PromptTokens, queued.PromptTokens);
        Assert.Equal(0, (await gateway.UsageAsync(firstResponse.Headers.GetValues("Inference-Id").Single()))!.QueueMs);
    }

    [Fact]
    public async Task Cancelling_a_stream_cancels_it_upstream()
    {
        await using var upstream = await HeldUpstream.StartAsync();
        await using var gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite, KeyedHost.Backends(("openai", upstream.BaseUrl, null, 1, 1, true)));
        using var http = gateway.Http();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions")
        {
            Content = new StringContent("""{"model":"akashml/tiny-random","prompt":"hold","max_tokens":4,"stream":true}""", Encoding.UTF8, "application/json"),
        })
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var seen = new List<string>();
            while (await reader.ReadLineAsync() is { } line)
            {
                seen.Add(line);
                if (line.Contains("Held", StringComparison.Ordinal))
                {
                    break;
                }
            }

            Assert.True(seen.Count > 0 && seen[^1].Contains("Held", StringComparison.Ordinal), "The stream ended before the upstream's first piece: " + string.Join(" | ", seen));
        }

        await KeyedHost.UntilAsync(() => gateway.Pool.Backends[0].InFlight == 0, "the backend slot was given back");
        await KeyedHost.UntilAsync(() => upstream.Aborted == 1, "the upstream saw its request aborted");
    }
}
