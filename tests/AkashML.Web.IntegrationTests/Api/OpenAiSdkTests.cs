using System.ClientModel;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;

namespace AkashML.Web.IntegrationTests.Api;

public sealed class OpenAiSdkTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    [Fact]
    public async Task Models_are_listed_with_pricing_and_the_smoke_test_mark()
    {
        var models = await fixture.OpenAi().GetOpenAIModelClient().GetModelsAsync();
        Assert.Contains(models.Value, m => m.Id == ApiHostFixture.Model);

        using var http = fixture.Http();
        using var json = JsonDocument.Parse(await http.GetStringAsync("v1/models"));
        var entry = json.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == ApiHostFixture.Model);
        Assert.True(entry.GetProperty("smoke_test").GetBoolean());
        Assert.True(entry.GetProperty("context_length").GetInt32() >= 32768);
        Assert.True(decimal.Parse(entry.GetProperty("pricing").GetProperty("prompt").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(JsonValueKind.Array, entry.GetProperty("supported_sampling_parameters").ValueKind);

        var single = await fixture.OpenAi().GetOpenAIModelClient().GetModelAsync(ApiHostFixture.Model);
        Assert.Equal(ApiHostFixture.Model, single.Value.Id);
    }

    [Fact]
    public async Task Chat_with_a_seed_is_deterministic_and_reports_usage()
    {
        var chat = fixture.OpenAi().GetChatClient(ApiHostFixture.Model);
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0.9f, Seed = 1234 };
#pragma warning restore OPENAI001
        ChatMessage[] messages = [new SystemChatMessage("Be brief."), new UserChatMessage("Tell me about the sea.")];
        var first = (await chat.CompleteChatAsync(messages, options)).Value;
        var second = (await chat.CompleteChatAsync(messages, options)).Value;

        Assert.Equal(first.Content[0].Text, second.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, first.FinishReason);
        Assert.Equal(12, first.Usage.OutputTokenCount);
        Assert.True(first.Usage.InputTokenCount > 5);
        Assert.Equal(first.Usage.InputTokenCount + first.Usage.OutputTokenCount, first.Usage.TotalTokenCount);
        Assert.Equal(ApiHostFixture.Model, first.Model);
        Assert.False(string.IsNullOrEmpty(first.SystemFingerprint));
    }

    [Fact]
    public async Task Streaming_chat_sends_deltas_a_finish_reason_and_a_usage_chunk()
    {
        var chat = fixture.OpenAi().GetChatClient(ApiHostFixture.Model);
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var updates = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Count to five")], new ChatCompletionOptions { MaxOutputTokenCount = 8, Temperature = 0 }))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish = update.FinishReason ?? finish;
            usage = update.Usage ?? usage;
        }

        Assert.True(updates >= 3);
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.NotNull(usage);
        Assert.Equal(8, usage!.OutputTokenCount);

        // The same request, greedy, gives the same text unstreamed.
        var whole = await chat.CompleteChatAsync([new UserChatMessage("Count to five")], new ChatCompletionOptions { MaxOutputTokenCount = 8, Temperature = 0 });
        Assert.Equal(whole.Value.Content[0].Text, text.ToString());
    }

    [Fact]
    public async Task Log_probabilities_come_with_the_requested_alternatives()
    {
        var chat = fixture.OpenAi().GetChatClient(ApiHostFixture.Model);
        var result = (await chat.CompleteChatAsync([new UserChatMessage("Hello")],
            new ChatCompletionOptions { MaxOutputTokenCount = 4, Temperature = 0, IncludeLogProbabilities = true, TopLogProbabilityCount = 3 })).Value;
        Assert.Equal(4, result.ContentTokenLogProbabilities.Count);
        foreach (var token in result.ContentTokenLogProbabilities)
        {
            Assert.Equal(3, token.TopLogProbabilities.Count);
            Assert.True(token.LogProbability <= 0);
            Assert.Equal(token.TopLogProbabilities[0].Token, token.Token);
        }
    }

    [Fact]
    public async Task Json_mode_returns_a_json_object_when_it_completes()
    {
        var chat = fixture.OpenAi().GetChatClient(ApiHostFixture.Model);
        // A random-weights model wanders; nudging the closing characters (logit_bias) lets objects finish in time.
        var closers = new[] { await TokenIdAsync("}"), await TokenIdAsync("\"") };
        var completed = 0;
        for (var seed = 1; seed <= 4; seed++)
        {
#pragma warning disable OPENAI001
            var options = new ChatCompletionOptions { MaxOutputTokenCount = 250, ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat(), Seed = seed, Temperature = 0.7f };
#pragma warning restore OPENAI001
            foreach (var id in closers)
            {
                options.LogitBiases[id] = 6;
            }

            var result = (await chat.CompleteChatAsync([new UserChatMessage("Reply in JSON")], options)).Value;
            var text = result.Content[0].Text;
            Assert.StartsWith("{", text.TrimStart(), StringComparison.Ordinal);
            if (result.FinishReason == ChatFinishReason.Stop)
            {
                completed++;
                using var document = JsonDocument.Parse(text);
                Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            }
        }

        Assert.True(completed > 0, "no JSON-mode answer completed within 250 tokens");
    }

    private async Task<int> TokenIdAsync(string text)
    {
        using var http = fixture.Http();
        using var response = await http.PostAsync("tokenize", JsonContent(new { model = ApiHostFixture.Model, prompt = text }));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("tokens").EnumerateArray().Single().GetInt32();
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    [Fact]
    public async Task Errors_reach_the_sdk_with_their_status_codes()
    {
        var wrongKey = await Assert.ThrowsAsync<ClientResultException>(() =>
            fixture.OpenAi("akml-" + new string('x', 43)).GetChatClient(ApiHostFixture.Model).CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, wrongKey.Status);

        var unknown = await Assert.ThrowsAsync<ClientResultException>(() =>
            fixture.OpenAi().GetChatClient("nobody/nothing").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, unknown.Status);
        Assert.Contains("nobody/nothing", unknown.Message, StringComparison.Ordinal);

        var hot = await Assert.ThrowsAsync<ClientResultException>(() =>
            fixture.OpenAi().GetChatClient(ApiHostFixture.Model).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { Temperature = 5 }));
        Assert.Equal(400, hot.Status);
        Assert.Contains("temperature", hot.Message, StringComparison.Ordinal);
    }
}
