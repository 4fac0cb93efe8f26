using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkashML.Web.IntegrationTests.Api;

/// <summary>What the SDKs hide: SSE framing, the completions API's prompt forms, tokenizer routes, disconnects.</summary>
public sealed class WireTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    [Fact]
    public async Task Chat_streams_end_with_a_usage_chunk_and_done()
    {
        using var http = fixture.Http();
        var lines = await StreamLinesAsync(http, "v1/chat/completions", new JsonObject
        {
            ["model"] = ApiHostFixture.Model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
            ["max_tokens"] = 3,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        });
        Assert.Equal("data: [DONE]", lines[^1]);
        var chunks = lines[..^1].Select(l => JsonNode.Parse(l["data: ".Length..])!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        Assert.Equal("assistant", chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        var usage = chunks[^1];
        Assert.Empty(usage["choices"]!.AsArray());
        Assert.Equal(3, usage["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(0, usage["usage"]!["prompt_tokens_details"]!["cached_tokens"]!.GetValue<int>());
        Assert.Equal("length", chunks[^2]["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Completions_accept_every_prompt_form_and_echo_with_logprobs()
    {
        using var http = fixture.Http();
        var tokens = await PostAsync(http, "tokenize", new JsonObject { ["model"] = ApiHostFixture.Model, ["prompt"] = "The cat sat" });
        var ids = tokens["tokens"]!.AsArray().Select(t => t!.GetValue<int>()).ToArray();
        Assert.Equal(ids.Length, tokens["count"]!.GetValue<int>());
        var detok = await PostAsync(http, "detokenize", new JsonObject { ["model"] = ApiHostFixture.Model, ["tokens"] = new JsonArray(ids.Select(i => (JsonNode)i).ToArray()) });
        Assert.EndsWith("The cat sat", detok["prompt"]!.GetValue<string>(), StringComparison.Ordinal);

        var byText = await PostAsync(http, "v1/completions", new JsonObject { ["model"] = ApiHostFixture.Model, ["prompt"] = "The cat sat", ["max_tokens"] = 4, ["temperature"] = 0 });
        var byIds = await PostAsync(http, "v1/completions", new JsonObject
        {
            ["model"] = ApiHostFixture.Model,
            ["prompt"] = new JsonArray(ids.Select(i => (JsonNode)i).ToArray()),
            ["max_tokens"] = 4,
            ["temperature"] = 0,
        });
        Assert.Equal(byText["choices"]![0]!["text"]!.GetValue<string>(), byIds["choices"]![0]!["text"]!.GetValue<string>());

        var batch = await PostAsync(http, "v1/completions", new JsonObject
        {
            ["model"] = ApiHostFixture.Model,
            ["prompt"] = new JsonArray("one", "two"),
            ["max_tokens"] = 2,
            ["n"] = 2,
            ["temperature"] = 0.8,
            ["seed"] = 3,
        });
        Assert.Equal([0, 1, 2, 3], batch["choices"]!.AsArray().Select(c => c!["index"]!.GetValue<int>()));
        Assert.Equal(8, batch["usage"]!["completion_tokens"]!.GetValue<int>());

        var echoed = await PostAsync(http, "v1/completions", new JsonObject
        {
            ["model"] = ApiHostFixture.Model,
            ["prompt"] = "The cat sat",
            ["max_tokens"] = 3,
            ["echo"] = true,
            ["logprobs"] = 2,
            ["temperature"] = 0,
            ["return_tokens_as_token_ids"] = true,
        });
        var choice = echoed["choices"]![0]!;
        Assert.StartsWith("The cat sat", choice["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var logprobs = choice["logprobs"]!;
        Assert.Equal(3, logprobs["tokens"]!.AsArray().Count);
        Assert.All(logprobs["tokens"]!.AsArray(), t => Assert.StartsWith("token_id:", t!.GetValue<string>(), StringComparison.Ordinal));
        Assert.All(logprobs["top_logprobs"]!.AsArray(), t => Assert.Equal(2, t!.AsObject().Count));
        Assert.Equal(3, logprobs["text_offset"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("{not json", HttpStatusCode.BadRequest, "body")]
    [InlineData("""{"model":"akashml/tiny-random","messages":"hello"}""", HttpStatusCode.BadRequest, "messages")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[]}""", HttpStatusCode.BadRequest, "messages")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"wizard","content":"hi"}]}""", HttpStatusCode.BadRequest, "messages[0].role")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"max_tokens":-1}""", HttpStatusCode.BadRequest, "max_tokens")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"max_tokens":99999999}""", HttpStatusCode.BadRequest, "max_tokens")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"temperature":5}""", HttpStatusCode.BadRequest, "temperature")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}""", HttpStatusCode.BadRequest, "temperature")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"stop":["a","b","c","d","e","f"]}""", HttpStatusCode.BadRequest, "stop")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"stream":"yes"}""", HttpStatusCode.BadRequest, "stream")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"n":1.5}""", HttpStatusCode.BadRequest, "n")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"logit_bias":{"5":"x"}}""", HttpStatusCode.BadRequest, "logit_bias")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"stream_options":5}""", HttpStatusCode.BadRequest, "stream_options")]
    [InlineData("""{"model":"akashml/tiny-random","prompt":"x","max_tokens":"many"}""", HttpStatusCode.BadRequest, "max_tokens")]
    [InlineData("""{"model":"akashml/tiny-random","prompt":"\ud800","max_tokens":2}""", HttpStatusCode.BadRequest, "prompt")]
    [InlineData("""{"model":"akashml/tiny-random","prompt":"hi","stop":["ok","\udfff"],"max_tokens":2}""", HttpStatusCode.BadRequest, "stop")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"user","content":"a\ud800b"}]}""", HttpStatusCode.BadRequest, "messages")]
    [InlineData("""{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"logit_bias":{"99999999":5}}""", HttpStatusCode.BadRequest, "logit_bias")]
    [InlineData("""{"model":"akashml/tiny-random","prompt":"hi","logit_bias":{"99999999":5}}""", HttpStatusCode.BadRequest, "logit_bias")]
    [InlineData("""{"model":"nobody/none","messages":[{"role":"user","content":"hi"}]}""", HttpStatusCode.NotFound, "model")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", HttpStatusCode.BadRequest, "model")]
    [InlineData("""{"model":"akashml/tiny-random","prompt":"x","suffix":"y"}""", HttpStatusCode.BadRequest, "suffix")]
    public async Task Bad_chat_input_gets_a_json_error_naming_the_parameter(string body, HttpStatusCode status, string param)
    {
        using var http = fixture.Http();
        var route = body.Contains("\"prompt\"", StringComparison.Ordinal) ? "v1/completions" : "v1/chat/completions";
        using var response = await http.PostAsync(route, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(status, response.StatusCode);
        Assert.True(response.Headers.Contains("Inference-Id"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(param, error["error"]!["param"]!.GetValue<string>());
        Assert.Equal(error["error"]!["message"]!.GetValue<string>(), error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_refused_with_the_numbers()
    {
        using var http = fixture.Http();
        var huge = string.Join(' ', Enumerable.Repeat("antidisestablishmentarianism zephyr quokka", 12_000));
        using var response = await http.PostAsync("v1/completions", new StringContent(
            new JsonObject { ["model"] = ApiHostFixture.Model, ["prompt"] = huge, ["max_tokens"] = 1 }.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>();
        Assert.Contains("context length is 32768", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ten_megabyte_body_is_refused_with_413_in_each_shape()
    {
        using var http = fixture.Http();
        var body = "{\"model\":\"akashml/tiny-random\",\"prompt\":\"" + new string('a', 10 * 1024 * 1024) + "\"}";
        using var openAi = await http.PostAsync("v1/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, openAi.StatusCode);
        Assert.Equal("invalid_request_error", JsonNode.Parse(await openAi.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());

        using var anthropic = await http.PostAsync("anthropic/v1/messages", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, anthropic.StatusCode);
        var shape = JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!;
        Assert.Equal("error", shape["type"]!.GetValue<string>());
        Assert.Equal("request_too_large", shape["error"]!["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"model":"akashml/tiny-random","max_tokens":"lots","messages":[{"role":"user","content":"hi"}]}""", "max_tokens", "'max_tokens' must be an integer.")]
    [InlineData("""{"model":"akashml/tiny-random","max_tokens":5,"temperature":"hot","messages":[{"role":"user","content":"hi"}]}""", "temperature", "'temperature' must be a number.")]
    [InlineData("""{"model":"akashml/tiny-random","max_tokens":5,"stream":1,"messages":[{"role":"user","content":"hi"}]}""", "stream", "'stream' must be a boolean.")]
    [InlineData("""{"model":"akashml/tiny-random","max_tokens":5,"messages":[{"role":"user","content":"\ud800"}]}""", "messages", "'messages' contains text that is not valid UTF-8 or a lone UTF-16 surrogate escape (such as \\ud800).")]
    public async Task A_field_of_the_wrong_type_is_named_in_the_anthropic_error(string body, string field, string message)
    {
        using var http = fixture.Http();
        using var response = await http.PostAsync("anthropic/v1/messages", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("invalid_request_error", error["error"]!["type"]!.GetValue<string>());
        Assert.Equal(message, error["error"]!["message"]!.GetValue<string>());
        Assert.Contains(field, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer akml-short")]
    [InlineData("Bearer sk-0000000000000000000000000000000000000000000000")]
    public async Task Missing_or_malformed_keys_get_401_in_the_route_shape(string? authorization)
    {
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "anthropic/v1/messages")
        {
            Content = new StringContent("""{"model":"akashml/tiny-random","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("authentication_error", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Anthropic_probes_answer_without_a_key_and_query_strings_are_ignored()
    {
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        Assert.Equal("ok", JsonNode.Parse(await http.GetStringAsync("anthropic"))!["status"]!.GetValue<string>());
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "anthropic"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);

        using var keyed = fixture.Http();
        keyed.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        keyed.DefaultRequestHeaders.Add("anthropic-beta", "claude-code-20250219");
        var body = new JsonObject
        {
            ["model"] = "akashml--tiny-random",
            ["max_tokens"] = 32000,
            ["system"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "sys", ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } }),
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = "more system" },
                new JsonObject { ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "hello" }) }),
            ["tools"] = new JsonArray(new JsonObject { ["name"] = "Read", ["description"] = "reads", ["input_schema"] = new JsonObject { ["type"] = "object" } },
                new JsonObject { ["name"] = "Lazy", ["defer_loading"] = true, ["input_schema"] = new JsonObject() }),
            ["metadata"] = new JsonObject { ["user_id"] = "{\"device\":\"x\"}" },
            ["thinking"] = new JsonObject { ["type"] = "adaptive" },
            ["context_management"] = new JsonObject(),
            ["output_config"] = new JsonObject(),
        };
        var message = await PostAsync(keyed, "anthropic/v1/messages?beta=true", body);
        Assert.Equal("message", message["type"]!.GetValue<string>());
        // 32000 is clamped to what the model allows, which ends the turn rather than reporting an overflow.
        Assert.Equal("end_turn", message["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tools_go_into_the_chat_template()
    {
        using var http = fixture.Http();
        var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "What is the weather in Oslo?" });
        var plain = await PostAsync(http, "v1/chat/completions", new JsonObject { ["model"] = ApiHostFixture.Model, ["messages"] = messages.DeepClone(), ["max_tokens"] = 1 });
        var withTools = await PostAsync(http, "v1/chat/completions", new JsonObject
        {
            ["model"] = ApiHostFixture.Model,
            ["messages"] = messages.DeepClone(),
            ["max_tokens"] = 1,
            ["tool_choice"] = "auto",
            ["tools"] = new JsonArray(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = "get_weather",
                    ["description"] = "Current weather for a city",
                    ["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" } } },
                },
            }),
        });
        // The template lists the tool in the prompt, so the prompt grows by the tool's description.
        Assert.True(withTools["usage"]!["prompt_tokens"]!.GetValue<int>() > plain["usage"]!["prompt_tokens"]!.GetValue<int>() + 10);

        using var bad = await http.PostAsync("v1/chat/completions", new StringContent(
            """{"model":"akashml/tiny-random","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("tools", JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_cancels_generation_and_is_recorded()
    {
        using var http = fixture.Http();
        // Ban the end tokens so the stream is certainly still running when the client leaves.
        var bias = new JsonObject();
        foreach (var end in new[] { "<|end_of_text|>", "<|im_end|>" })
        {
            var ids = await PostAsync(http, "tokenize", new JsonObject { ["model"] = ApiHostFixture.Model, ["prompt"] = end });
            bias[ids["tokens"]!.AsArray()[^1]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture)] = -100;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions")
        {
            Content = new StringContent(new JsonObject
            {
                ["model"] = ApiHostFixture.Model,
                ["prompt"] = "go",
                ["max_tokens"] = 8000,
                ["stream"] = true,
                ["logit_bias"] = bias,
            }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        string inferenceId;
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            inferenceId = response.Headers.GetValues("Inference-Id").Single();
            await using var stream = await response.Content.ReadAsStreamAsync();
            using var reader = new StreamReader(stream);
            var events = 0;
            while (events < 3 && await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    events++;
                }
            }
        }

        // Disposing the response closed the connection; the record appears once the server notices.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        Data.Usage.UsageRecord? record = null;
        while (DateTime.UtcNow < deadline && (record = await fixture.UsageAsync(inferenceId)) is null)
        {
            await Task.Delay(100);
        }

        Assert.NotNull(record);
        Assert.Equal("cancelled", record!.Status);
        Assert.True(record.Streamed);
        Assert.InRange(record.CompletionTokens, 1, 7999);
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, string route, JsonObject body)
    {
        using var response = await http.PostAsync(route, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{route} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<List<string>> StreamLinesAsync(HttpClient http, string route, JsonObject body)
    {
        using var response = await http.PostAsync(route, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        return (await response.Content.ReadAsStringAsync()).Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).ToList();
    }
}
