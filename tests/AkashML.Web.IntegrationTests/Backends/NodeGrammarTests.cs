using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Generation.Structured;
using AkashML.Inference.Serving;
using AkashML.Inference.Tests.Structured;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.IntegrationTests.Nodes;
using AkashML.Web.Nodes;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI.Chat;

namespace AkashML.Web.IntegrationTests.Backends;

/// <summary>
/// Structured outputs on a model served by an inference node: the gateway validates and compiles the json_schema or
/// strict tools, sends their source in the generate request, and the node compiles the same grammar. Called with the
/// official OpenAI SDK through a gateway-role host whose only backend is the node; the random-weights model's text is
/// what the grammar must hold, so every answer has to parse and validate.
/// </summary>
public sealed class NodeGrammarTests(NodeGrammarTests.NodeGateway fixture) : IClassFixture<NodeGrammarTests.NodeGateway>
{
    [Fact]
    public async Task Json_schema_answers_through_a_node_parse_and_validate()
    {
        var chat = fixture.Gateway.OpenAi().GetChatClient(KeyedHost.Model);
        var servedBefore = fixture.Gateway.Pool.Backends[0].Served;
        for (var seed = 0; seed < 6; seed++)
        {
            var schema = RandomSchemas.Create(seed, strict: true).ToJsonString();
            var result = (await chat.CompleteChatAsync([new UserChatMessage("Describe a thing as JSON.")], SchemaOptions(schema, seed))).Value;
            var text = result.Content[0].Text;
            Assert.True(SchemaValidation.Problem(schema, text) is null, $"seed {seed}: {SchemaValidation.Problem(schema, text)}\n{schema}\n{text}");
        }

        const string fixedSchema = """{"type":"object","properties":{"name":{"type":"string","maxLength":12},"tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":3}},"required":["name","tags"],"additionalProperties":false}""";
        var streamed = new StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("JSON please")], SchemaOptions(fixedSchema, 7)))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
        }

        Assert.True(SchemaValidation.Problem(fixedSchema, streamed.ToString()) is null, $"{SchemaValidation.Problem(fixedSchema, streamed.ToString())}\n{streamed}");
        Assert.Equal(servedBefore + 7, fixture.Gateway.Pool.Backends[0].Served);
    }

    [Fact]
    public async Task Strict_tool_call_arguments_through_a_node_validate()
    {
        var chat = fixture.Gateway.OpenAi().GetChatClient(KeyedHost.Model);
        const string parameters = """{"type":"object","properties":{"city":{"type":"string","maxLength":20},"days":{"type":"integer"},"units":{"enum":["metric","imperial"]}},"required":["city","days","units"],"additionalProperties":false}""";
        var weather = ChatTool.CreateFunctionTool("get_weather", "Weather forecast", BinaryData.FromString(parameters), functionSchemaIsStrict: true);
        var time = ChatTool.CreateFunctionTool("get_time", "Local time", BinaryData.FromString("""{"type":"object","properties":{"zone":{"type":"string"}}}"""));
        for (var seed = 0; seed < 4; seed++)
        {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
            var options = new ChatCompletionOptions
            {
                MaxOutputTokenCount = 200,
                Seed = seed,
                Tools = { weather, time },
                ToolChoice = ChatToolChoice.CreateFunctionChoice("get_weather"),
            };
#pragma warning restore OPENAI001

            var result = (await chat.CompleteChatAsync([new UserChatMessage("Weather in Oslo?")], options)).Value;

            Assert.Equal(ChatFinishReason.ToolCalls, result.FinishReason);
            var call = Assert.Single(result.ToolCalls);
            Assert.Equal("get_weather", call.FunctionName);
            Assert.Null(SchemaValidation.Problem(parameters, call.FunctionArguments.ToString()));
        }
    }

    [Fact]
    public async Task Anthropic_output_config_schema_through_a_node_validates()
    {
        var schema = RandomSchemas.Create(21, strict: true).ToJsonString();
        var anthropic = SdkClients.Anthropic(fixture.Gateway.BaseAddress, fixture.Gateway.ApiKey);
        var message = await anthropic.Messages.Create(new MessageCreateParams
        {
            Model = KeyedHost.Model,
            MaxTokens = 300,
            Messages = [new MessageParam(new UserMessageParam("Describe a thing as JSON."), null)],
            OutputConfig = new OutputConfig { Format = new JsonOutputFormat { Schema = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(schema)! } },
        }, CancellationToken.None);

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.True(SchemaValidation.Problem(schema, text!.Text) is null, $"{SchemaValidation.Problem(schema, text.Text)}\n{schema}\n{text.Text}");
    }

    [Fact]
    public async Task A_grammar_sent_to_the_node_gives_the_tokens_local_generation_with_it_gives()
    {
        var local = await fixture.Node.LocalModelAsync();
        using var http = fixture.Node.Http();
        var node = fixture.Node.NodeModel(http);
        var schema = RandomSchemas.Create(3, strict: true);
        var grammar = JsonSchemaCompiler.CompileResponseFormat(schema, "response_format.json_schema.schema");
        var request = new GenerationRequest { PromptTokens = node.EncodePrompt("Describe a thing as JSON.", false), MaxNewTokens = 300, Temperature = 0.8, Seed = 11, Grammar = grammar };

        var expected = new List<int>();
        await foreach (var update in local.GenerateAsync(request, CancellationToken.None))
        {
            expected.AddRange(update.TokenIds);
        }

        var actual = new List<int>();
        await foreach (var update in node.GenerateAsync(request, CancellationToken.None))
        {
            actual.AddRange(update.TokenIds);
        }

        Assert.NotEmpty(actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_schema_outside_the_subset_is_400_at_the_gateway_and_a_malformed_grammar_is_400_at_the_node()
    {
        var chat = fixture.Gateway.OpenAi().GetChatClient(KeyedHost.Model);
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")],
            SchemaOptions("""{"type":"object","patternProperties":{"^x":{"type":"string"}}}""", 1)));
        Assert.Equal(400, refused.Status);
        Assert.Contains("patternProperties", refused.Message, StringComparison.Ordinal);

        using var http = fixture.Node.Http();
        var local = await fixture.Node.LocalModelAsync();
        var prompt = local.EncodePrompt("hi", false);
        foreach (var (grammar, parameter, words) in new (JsonObject Grammar, string Parameter, string Words)[]
        {
            (new JsonObject { ["kind"] = "regex", ["document"] = new JsonObject(), ["path"] = "p", ["parameter"] = "response_format" }, "grammar", "grammar.kind"),
            (new JsonObject { ["kind"] = "tools", ["document"] = new JsonArray(1, 2), ["path"] = "tools", ["parameter"] = "tools" }, "grammar", "grammar.document"),
            (new JsonObject { ["kind"] = "response_format", ["document"] = JsonNode.Parse("""{"type":"object","patternProperties":{}}"""), ["path"] = "response_format.json_schema.schema", ["parameter"] = "response_format" }, "response_format", "patternProperties"),
        })
        {
            var body = new JsonObject
            {
                ["model"] = KeyedHost.Model,
                ["prompt_tokens"] = new JsonArray([.. prompt.Select(t => (JsonNode)t)]),
                ["max_new_tokens"] = 16,
                ["grammar"] = grammar,
            };
            using var response = await http.PostAsJsonAsync(NodeEndpoints.GeneratePath.TrimStart('/'), body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
            var error = JsonNode.Parse(text)!;
            Assert.Equal(parameter, error["param"]?.GetValue<string>());
            Assert.Contains(words, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    private static ChatCompletionOptions SchemaOptions(string schema, int seed)
    {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
        return new ChatCompletionOptions
        {
            MaxOutputTokenCount = 300,
            Seed = seed,
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("thing", BinaryData.FromString(schema), jsonSchemaIsStrict: true),
        };
#pragma warning restore OPENAI001
    }

    /// <summary>An inference node and a gateway-role host whose only backend for the model is that node.</summary>
    public sealed class NodeGateway : IAsyncLifetime
    {
        public InferenceNodeFixture Node { get; } = new();

        public KeyedHost Gateway { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Node.InitializeAsync();
            var settings = KeyedHost.Backends(("node", Node.BaseAddress.ToString(), InferenceNodeFixture.Secret, 8, 16, true));
            settings["Host:Role"] = "gateway";
            Gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite, settings);
            await KeyedHost.UntilAsync(() => Gateway.Pool.Backends[0].Healthy, "the node healthy");
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Node.DisposeAsync();
        }
    }
}
