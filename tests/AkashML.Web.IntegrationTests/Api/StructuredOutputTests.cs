using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Tests.Structured;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace AkashML.Web.IntegrationTests.Api;

/// <summary>
/// json_schema response formats and strict tools through the official OpenAI SDK against the random-weights model:
/// its garbage text is what the grammar has to hold, so every answer must parse and validate (JsonSchema.Net).
/// </summary>
public sealed class StructuredOutputTests(ApiHostFixture fixture, ITestOutputHelper output) : IClassFixture<ApiHostFixture>
{
    private const int Budget = 400;

    [Fact]
    public async Task Fifty_random_strict_schemas_get_answers_that_parse_and_validate()
    {
        var chat = fixture.OpenAi().GetChatClient(ApiHostFixture.Model);
        var finishes = new Dictionary<ChatFinishReason, int>();
        for (var seed = 0; seed < 50; seed++)
        {
            var schema = RandomSchemas.Create(seed, strict: true).ToJsonString();
            var options = Options(schema, seed);
            var result = (await chat.CompleteChatAsync([new UserChatMessage("Describe a thing as JSON.")], options)).Value;
            var text = result.Content[0].Text;

            Assert.True(SchemaValidation.Problem(schema, text) is null, $"seed {seed}: {SchemaValidation.Problem(schema, text)}\n{schema}\n{text}");
            Assert.Contains(result.FinishReason, new[] { ChatFinishReason.Stop, ChatFinishReason.Length });
            Assert.True(result.Usage.OutputTokenCount <= Budget);
            finishes[result.FinishReason] = finishes.GetValueOrDefault(result.FinishReason) + 1;
            output.WriteLine($"seed {seed}: {result.FinishReason}, {result.Usage.OutputTokenCount} tokens: {text}");
        }

        output.WriteLine(string.Join(", ", finishes.Select(f => $"{f.Key}: {f.Value}")));

        Assert.NotEmpty(finishes);
    }

    [Fact]
    public async Task Streamed_answers_parse_and_validate_and_end_with_a_finish_reason()
    {
        var chat = fixture.OpenAi().GetChatClient(ApiHostFixture.Model);
        for (var seed = 100; seed < 105; seed++)
        {
            var schema = RandomSchemas.Create(seed, strict: true).ToJsonString();
            var text = new StringBuilder();
            ChatFinishReason? finish = null;
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("JSON please")], Options(schema, seed)))
            {
                foreach (var part in update.ContentUpdate)
                {
                    text.Append(part.Text);
                }

                finish ??= update.FinishReason;
            }

            Assert.True(SchemaValidation.Problem(schema, text.ToString()) is null, $"seed {seed}: {SchemaValidation.Problem(schema, text.ToString())}\n{text}");
            Assert.NotNull(finish);
        }
    }

    [Fact]
    public async Task A_budget_that_is_just_enough_closes_the_document_and_says_length()
    {
        var chat = fixture.OpenAi().GetChatClient(ApiHostFixture.Model);
        const string schema = """{"type":"object","properties":{"story":{"type":"string"},"n":{"type":"integer"}},"required":["story","n"],"additionalProperties":false}""";
        var options = Options(schema, seed: 5);
        options.MaxOutputTokenCount = """{"story":"","n":0}""".Length + 6;

        var result = (await chat.CompleteChatAsync([new UserChatMessage("Tell a long story.")], options)).Value;

        Assert.Null(SchemaValidation.Problem(schema, result.Content[0].Text));
        Assert.Equal(ChatFinishReason.Length, result.FinishReason);
    }

    [Fact]
    public async Task Strict_tool_calls_have_arguments_that_validate()
    {
        var chat = fixture.OpenAi().GetChatClient(ApiHostFixture.Model);
        const string parameters = """
            {"type":"object","properties":{"city":{"type":"string","maxLength":20},"days":{"type":"integer"},"units":{"enum":["metric","imperial"]},
             "when":{"type":"string","format":"date"}},"required":["city","days","units","when"],"additionalProperties":false}
            """;
        var weather = ChatTool.CreateFunctionTool("get_weather", "Weather forecast", BinaryData.FromString(parameters), functionSchemaIsStrict: true);
        var time = ChatTool.CreateFunctionTool("get_time", "Local time", BinaryData.FromString("""{"type":"object","properties":{"zone":{"type":"string"}}}"""));
        for (var seed = 0; seed < 6; seed++)
        {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
            var options = new ChatCompletionOptions
            {
                MaxOutputTokenCount = 200,
                Seed = seed,
                Tools = { weather, time },
                ToolChoice = seed % 2 == 0 ? ChatToolChoice.CreateRequiredChoice() : ChatToolChoice.CreateFunctionChoice("get_weather"),
            };
#pragma warning restore OPENAI001

            var result = (await chat.CompleteChatAsync([new UserChatMessage("Weather in Oslo?")], options)).Value;

            Assert.Equal(ChatFinishReason.ToolCalls, result.FinishReason);
            var call = Assert.Single(result.ToolCalls);
            if (call.FunctionName == "get_weather")
            {
                Assert.Null(SchemaValidation.Problem(parameters, call.FunctionArguments.ToString()));
            }
            else
            {
                Assert.Equal(0, seed % 2);
                Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(call.FunctionArguments.ToString()).RootElement.ValueKind);
            }
        }
    }

    [Fact]
    public async Task Streamed_strict_tool_calls_arrive_as_tool_call_deltas_whose_arguments_validate()
    {
        var chat = fixture.OpenAi().GetChatClient(ApiHostFixture.Model);
        const string parameters = """{"type":"object","properties":{"query":{"type":"string","maxLength":30},"limit":{"type":"integer"}},"required":["query","limit"],"additionalProperties":false}""";
        var search = ChatTool.CreateFunctionTool("search", "Search the web", BinaryData.FromString(parameters), functionSchemaIsStrict: true);
        for (var seed = 0; seed < 3; seed++)
        {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
            var options = new ChatCompletionOptions { MaxOutputTokenCount = 150, Seed = seed, Tools = { search }, ToolChoice = ChatToolChoice.CreateRequiredChoice() };
#pragma warning restore OPENAI001
            var arguments = new Dictionary<int, StringBuilder>();
            var names = new Dictionary<int, string>();
            var content = new StringBuilder();
            ChatFinishReason? finish = null;
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Find cheese recipes")], options))
            {
                foreach (var part in update.ContentUpdate)
                {
                    content.Append(part.Text);
                }

                foreach (var call in update.ToolCallUpdates)
                {
                    if (call.FunctionName is { } name)
                    {
                        names[call.Index] = name;
                    }

                    (arguments.TryGetValue(call.Index, out var text) ? text : arguments[call.Index] = new StringBuilder()).Append(call.FunctionArgumentsUpdate?.ToString());
                }

                finish ??= update.FinishReason;
            }

            Assert.Equal(ChatFinishReason.ToolCalls, finish);
            Assert.Equal("search", Assert.Single(names).Value);
            Assert.Null(SchemaValidation.Problem(parameters, arguments[0].ToString()));
            Assert.DoesNotContain("<tool_call>", content.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Unsupported_keywords_and_impossible_budgets_are_refused_with_400_naming_them()
    {
        var chat = fixture.OpenAi().GetChatClient(ApiHostFixture.Model);
        var unsupported = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")],
            Options("""{"type":"object","patternProperties":{"^x":{"type":"string"}}}""", seed: 1)));
        Assert.Equal(400, unsupported.Status);
        Assert.Contains("response_format.json_schema.schema: keyword 'patternProperties' is not supported", unsupported.Message, StringComparison.Ordinal);

        var tooSmall = Options("""{"type":"object","properties":{"name":{"type":"string","minLength":30}},"required":["name"]}""", seed: 1);
        tooSmall.MaxOutputTokenCount = 10;
        var budget = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")], tooSmall));
        Assert.Equal(400, budget.Status);
        Assert.Contains("max_completion_tokens", budget.Message, StringComparison.Ordinal);

        var strictTool = ChatTool.CreateFunctionTool("f", "f", BinaryData.FromString("""{"type":"object","properties":{"a":{"type":"string","pattern":"x"}}}"""), functionSchemaIsStrict: true);
        var tool = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { Tools = { strictTool } }));
        Assert.Equal(400, tool.Status);
        Assert.Contains("tools[0].function.parameters.properties.a: keyword 'pattern' is not supported", tool.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_schema_bodies_get_a_400_in_the_openai_error_shape()
    {
        using var http = fixture.Http();
        foreach (var format in new[]
        {
            """{"type":"json_schema"}""",
            """{"type":"json_schema","json_schema":{"name":"x"}}""",
            """{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"a":{"type":"string","minLength":-1}}}}}""",
        })
        {
            var body = $$"""{"model":"{{ApiHostFixture.Model}}","messages":[{"role":"user","content":"hi"}],"response_format":{{format}}}""";
            using var response = await http.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("response_format", error["param"]!.GetValue<string>());
        }
    }

    private static ChatCompletionOptions Options(string schema, int seed)
    {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
        return new ChatCompletionOptions
        {
            MaxOutputTokenCount = Budget,
            Seed = seed,
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("thing", BinaryData.FromString(schema), jsonSchemaIsStrict: true),
        };
#pragma warning restore OPENAI001
    }
}
