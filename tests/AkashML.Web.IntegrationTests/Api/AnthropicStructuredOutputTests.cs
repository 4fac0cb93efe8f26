using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Tests.Structured;
using Anthropic.Models.Messages;
using Xunit.Abstractions;

namespace AkashML.Web.IntegrationTests.Api;

/// <summary>
/// Anthropic's structured outputs through the official Anthropic SDK against the random-weights model: an
/// <c>output_config.format</c> json_schema constrains the text, a strict tool its <c>input</c>; every answer must parse
/// and validate (JsonSchema.Net).
/// </summary>
public sealed class AnthropicStructuredOutputTests(ApiHostFixture fixture, ITestOutputHelper output) : IClassFixture<ApiHostFixture>
{
    private const int Budget = 400;

    [Fact]
    public async Task Twenty_random_schemas_as_output_config_get_text_that_parses_and_validates()
    {
        for (var seed = 200; seed < 220; seed++)
        {
            var schema = RandomSchemas.Create(seed, strict: true).ToJsonString();
            var message = await fixture.Anthropic().Messages.Create(new MessageCreateParams
            {
                Model = ApiHostFixture.Model,
                MaxTokens = Budget,
                Messages = [new MessageParam(new UserMessageParam("Describe a thing as JSON."), null)],
                OutputConfig = new OutputConfig { Format = new JsonOutputFormat { Schema = AsDictionary(schema) } },
            }, CancellationToken.None);

            Assert.True(message.Content[0].TryPickText(out var text));
            Assert.True(SchemaValidation.Problem(schema, text!.Text) is null, $"seed {seed}: {SchemaValidation.Problem(schema, text.Text)}\n{schema}\n{text.Text}");
            Assert.Contains(message.StopReason!.Raw(), new[] { "end_turn", "max_tokens" });
            Assert.True(message.Usage.OutputTokens <= Budget);
            output.WriteLine($"seed {seed}: {message.StopReason.Raw()}, {message.Usage.OutputTokens} tokens: {text.Text}");
        }
    }

    [Fact]
    public async Task A_streamed_answer_and_the_beta_output_format_validate_too()
    {
        var schema = RandomSchemas.Create(7, strict: true).ToJsonString();
        var text = new StringBuilder();
        await foreach (var streamed in fixture.Anthropic().Messages.CreateStreaming(new MessageCreateParams
        {
            Model = ApiHostFixture.Model,
            MaxTokens = Budget,
            Messages = [new MessageParam(new UserMessageParam("JSON please"), null)],
            OutputConfig = new OutputConfig { Format = new JsonOutputFormat { Schema = AsDictionary(schema) } },
        }, CancellationToken.None))
        {
            if (streamed.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickText(out var textDelta))
            {
                text.Append(textDelta!.Text);
            }
        }

        Assert.Null(SchemaValidation.Problem(schema, text.ToString()));

        // The beta's field name, sent as Anthropic's beta SDKs send it.
        using var http = fixture.Http();
        var body = new JsonObject
        {
            ["model"] = ApiHostFixture.Model,
            ["max_tokens"] = Budget,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "JSON" }),
            ["output_format"] = new JsonObject { ["type"] = "json_schema", ["schema"] = JsonNode.Parse(schema) },
        };
        using var response = await http.PostAsync("anthropic/v1/messages", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(SchemaValidation.Problem(schema, answer["content"]![0]!["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_strict_tool_gets_input_that_validates_against_its_input_schema()
    {
        const string inputSchema = """
            {"type":"object","properties":{"city":{"type":"string","maxLength":20},"days":{"type":"integer"},"units":{"enum":["metric","imperial"]}},
             "required":["city","days","units"],"additionalProperties":false}
            """;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var message = await fixture.Anthropic().Messages.Create(new MessageCreateParams
            {
                Model = ApiHostFixture.Model,
                MaxTokens = 200,
                Messages = [new MessageParam(new UserMessageParam("Weather in Oslo?"), null)],
                Tools = [new Tool { Name = "get_weather", Description = "Weather forecast", InputSchema = InputSchema.FromRawUnchecked(AsDictionary(inputSchema)), Strict = true }],
                ToolChoice = attempt % 2 == 0 ? new ToolChoiceTool { Name = "get_weather" } : new ToolChoiceAny(),
            }, CancellationToken.None);

            var use = message.Content.Select(block => block.TryPickToolUse(out var toolUse) ? toolUse : null).Single(toolUse => toolUse is not null)!;
            Assert.Equal("get_weather", use.Name);
            Assert.Null(SchemaValidation.Problem(inputSchema, JsonSerializer.Serialize(use.Input)));
            Assert.Equal("tool_use", message.StopReason!.Raw());
        }
    }

    [Fact]
    public async Task Unsupported_schemas_and_conflicting_parameters_get_a_400_naming_them()
    {
        using var http = fixture.Http();
        (string Extra, string Param, string Text)[] cases =
        [
            ("""
             "output_config":{"format":{"type":"json_schema","schema":{"type":"object","patternProperties":{"^x":{"type":"string"}}}}}
             """, "output_config", "keyword 'patternProperties' is not supported"),
            ("""
             "output_config":{"format":{"type":"text"}}
             """, "output_config", "must be 'json_schema'"),
            ("""
             "output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}},"stop_sequences":["}"]
             """, "stop_sequences", "cannot be combined"),
            ("""
             "output_format":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"type":"string","minLength":500}},"required":["a"]}}
             """, "max_tokens", "needs up to"),
            ("""
             "tool_choice":{"type":"tool","name":"missing"}
             """, "tool_choice", "no 'tools'"),
        ];
        foreach (var (extra, param, text) in cases)
        {
            var body = $$"""{"model":"{{ApiHostFixture.Model}}","max_tokens":50,"messages":[{"role":"user","content":"hi"}],{{extra}}}""";
            using var response = await http.PostAsync("anthropic/v1/messages", new StringContent(body, Encoding.UTF8, "application/json"));
            var answer = await response.Content.ReadAsStringAsync();
            var error = JsonNode.Parse(answer)!["error"]!;

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{extra}: {(int)response.StatusCode} {answer}");
            Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
            Assert.Contains(param, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains(text, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    private static Dictionary<string, JsonElement> AsDictionary(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
}
