using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;
using AkashML.Web.Nodes;

namespace AkashML.Web.IntegrationTests.Nodes;

/// <summary>
/// A gateway's <see cref="NodeTextModel"/> against a real inference-role host over HTTP: the same tokens as local
/// generation, log-probabilities, cancellation reaching the node, the shared secret, and the role's closed routes.
/// </summary>
public sealed class NodeProtocolTests(InferenceNodeFixture fixture) : IClassFixture<InferenceNodeFixture>
{
    [Fact]
    public async Task Greedy_generation_over_the_node_gives_the_tokens_local_generation_gives()
    {
        var local = await fixture.LocalModelAsync();
        using var http = fixture.Http();
        var node = fixture.NodeModel(http);
        var prompt = node.EncodePrompt(node.RenderChat(new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Tell me a story" }), null, addGenerationPrompt: true), isRenderedChat: true);
        Assert.Equal(local.EncodePrompt(local.RenderChat(new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Tell me a story" }), null, true), true), prompt);
        var request = new GenerationRequest { PromptTokens = prompt, MaxNewTokens = 24, Temperature = 0, N = 2 };

        var expected = await CollectAsync(local.GenerateAsync(request, CancellationToken.None));
        var actual = await CollectAsync(node.GenerateAsync(request, CancellationToken.None));

        Assert.Equal(2, actual.Count);
        foreach (var choice in expected.Keys)
        {
            Assert.Equal(expected[choice].Tokens, actual[choice].Tokens);
            Assert.Equal(expected[choice].Text, actual[choice].Text);
            Assert.Equal(expected[choice].Finish, actual[choice].Finish);
            Assert.Equal(expected[choice].CompletionTokens, actual[choice].CompletionTokens);
        }

        Assert.Equal(new NodeUsage(prompt.Count, actual.Values.Sum(c => c.CompletionTokens)), node.LastUsage);
    }

    [Fact]
    public async Task Log_probabilities_come_over_the_node_when_asked()
    {
        using var http = fixture.Http();
        var node = fixture.NodeModel(http);
        var request = new GenerationRequest { PromptTokens = node.EncodePrompt("Once upon a time", false), MaxNewTokens = 8, Temperature = 0, TopLogprobs = 3 };
        var local = await fixture.LocalModelAsync();
        var expected = new List<TokenLogprob>();
        await foreach (var update in local.GenerateAsync(request, CancellationToken.None))
        {
            expected.AddRange(update.Logprobs ?? []);
        }

        var tokens = 0;
        var logprobs = new List<TokenLogprob>();
        await foreach (var update in node.GenerateAsync(request, CancellationToken.None))
        {
            tokens += update.TokenIds.Count;
            if (update.TokenIds.Count > 0)
            {
                Assert.NotNull(update.Logprobs);
                logprobs.AddRange(update.Logprobs);
            }
        }

        Assert.Equal(8, tokens);
        Assert.Equal(expected.Count, logprobs.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].TokenId, logprobs[i].TokenId);
            Assert.Equal(expected[i].Logprob, logprobs[i].Logprob, 1e-9);
            Assert.Equal(3, logprobs[i].TopAlternatives.Count);
            Assert.Equal(expected[i].TopAlternatives.Select(a => a.TokenId), logprobs[i].TopAlternatives.Select(a => a.TokenId));
        }
    }

    [Fact]
    public async Task Cancelling_a_node_generation_stops_it_on_the_node()
    {
        using var http = fixture.Http();
        var node = fixture.NodeModel(http);
        var before = (await fixture.HealthAsync()).Cancelled;
        var prompt = node.EncodePrompt("go", false);
        // Ban the end tokens and allow the whole context, so the node is certainly still generating when the caller leaves.
        var bias = new[] { "<|end_of_text|>", "<|im_end|>", "<|endoftext|>" }
            .Select(t => node.Tokenizer.TokenToId(t)).OfType<int>().Distinct().ToDictionary(id => id, _ => -100.0);
        var request = new GenerationRequest { PromptTokens = prompt, MaxNewTokens = node.Descriptor.ContextLength - prompt.Count, LogitBias = bias };

        using var cancellation = new CancellationTokenSource();
        var received = 0;
        var inFlightWhileStreaming = -1;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in node.GenerateAsync(request, cancellation.Token))
            {
                if (++received == 3)
                {
                    // The node cannot finish on its own (no end token, the whole context to fill): it is still running.
                    inFlightWhileStreaming = (await fixture.HealthAsync()).InFlight;
                    await cancellation.CancelAsync();
                }
            }
        });
        Assert.Equal(1, inFlightWhileStreaming);

        // The node notices the dropped connection at its next write; wait for its counters to say so.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var health = await fixture.HealthAsync();
        while ((health.InFlight != 0 || health.Cancelled == before) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            health = await fixture.HealthAsync();
        }

        Assert.Equal(0, health.InFlight);
        Assert.Equal(before + 1, health.Cancelled);
        Assert.Equal(3, received);
    }

    [Fact]
    public async Task A_wrong_or_missing_secret_gets_401_and_the_client_reports_it()
    {
        foreach (var secret in new[] { "not-the-node-secret-0123456789", null })
        {
            using var http = fixture.Http(secret);
            using var generate = await http.PostAsync(new Uri(NodeEndpoints.GeneratePath, UriKind.Relative),
                new StringContent("""{"model":"akashml/tiny-random","prompt_tokens":[1],"max_new_tokens":1}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Unauthorized, generate.StatusCode);
            var error = JsonNode.Parse(await generate.Content.ReadAsStringAsync())!;
            Assert.Equal("authentication_error", error["type"]!.GetValue<string>());
            using var health = await http.GetAsync(new Uri(NodeEndpoints.HealthPath, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, health.StatusCode);
        }

        using var client = fixture.Http(null);
        var node = fixture.NodeModel(client, "not-the-node-secret-0123456789");
        var refused = await Assert.ThrowsAsync<ModelUnavailableException>(async () =>
        {
            await foreach (var _ in node.GenerateAsync(new GenerationRequest { PromptTokens = [1], MaxNewTokens = 1 }, CancellationToken.None))
            {
            }
        });
        Assert.Contains("shared secret", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"akashml/tiny-random","prompt_tokens":[],"max_new_tokens":4}""", 400, "prompt_tokens")]
    [InlineData("""{"model":"akashml/tiny-random","prompt_tokens":[1],"max_new_tokens":4,"n":0}""", 400, "n")]
    [InlineData("""{"model":"akashml/tiny-random","prompt_tokens":[1],"max_new_tokens":0}""", 400, "max_new_tokens")]
    [InlineData("""{"model":"akashml/tiny-random","prompt_tokens":[99999999],"max_new_tokens":4}""", 400, "prompt_tokens")]
    [InlineData("""{"model":"akashml/tiny-random","prompt_tokens":[1],"max_new_tokens":4,"logit_bias":{"99999999":5}}""", 400, "logit_bias")]
    [InlineData("""{"model":"akashml/tiny-random","prompt_tokens":[1],"max_new_tokens":4,"top_p":0}""", 400, "top_p")]
    [InlineData("""{"model":"akashml/tiny-random","prompt_tokens":"abc","max_new_tokens":4}""", 400, null)]
    [InlineData("""not json""", 400, null)]
    [InlineData("""{"model":"nobody/none","prompt_tokens":[1],"max_new_tokens":4}""", 404, null)]
    public async Task Bad_generate_requests_get_a_json_error_before_any_stream(string body, int status, string? parameter)
    {
        using var http = fixture.Http();
        using var response = await http.PostAsync(new Uri(NodeEndpoints.GeneratePath, UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(status == (int)response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()));
        Assert.Equal(parameter, error["param"]?.GetValue<string>());
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/models")]
    [InlineData("GET", "/Account/Login")]
    [InlineData("GET", "/v1/models")]
    [InlineData("POST", "/v1/chat/completions")]
    [InlineData("POST", "/v1/completions")]
    [InlineData("GET", "/anthropic/v1/models")]
    [InlineData("POST", "/anthropic/v1/messages")]
    [InlineData("POST", "/tokenize")]
    [InlineData("POST", "/stripe/webhook")]
    public async Task The_inference_role_serves_no_dashboard_public_api_or_webhook(string method, string path)
    {
        using var http = fixture.Http(null);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method == "POST")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_inference_role_answers_health_readiness_and_its_own_health_with_what_it_serves()
    {
        using var http = fixture.Http(null);
        var ready = JsonNode.Parse(await http.GetStringAsync(new Uri("/readyz", UriKind.Relative)))!;
        Assert.Equal("ready", ready["status"]!.GetValue<string>());
        Assert.Equal("inference", ready["role"]!.GetValue<string>());
        using var live = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        _ = await fixture.LocalModelAsync();
        var health = await fixture.HealthAsync();
        Assert.Contains(InferenceNodeFixture.Model, health.Models);
        Assert.Contains(InferenceNodeFixture.Model, health.Loaded);
    }

    private static async Task<Dictionary<int, ChoiceResult>> CollectAsync(IAsyncEnumerable<GenerationUpdate> updates)
    {
        var choices = new Dictionary<int, ChoiceResult>();
        await foreach (var update in updates)
        {
            var choice = choices.TryGetValue(update.ChoiceIndex, out var existing) ? existing : choices[update.ChoiceIndex] = new ChoiceResult();
            choice.Tokens.AddRange(update.TokenIds);
            choice.Text += update.Text;
            choice.Finish = update.FinishReason ?? choice.Finish;
            choice.CompletionTokens = update.CompletionTokens;
        }

        return choices;
    }

    private sealed class ChoiceResult
    {
        public List<int> Tokens { get; } = [];

        public string Text { get; set; } = "";

        public FinishReason? Finish { get; set; }

        public int CompletionTokens { get; set; }
    }
}
