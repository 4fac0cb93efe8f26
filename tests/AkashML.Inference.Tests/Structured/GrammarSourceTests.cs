using System.Text.Json.Nodes;
using AkashML.Inference.Generation.Structured;

namespace AkashML.Inference.Tests.Structured;

/// <summary>
/// A grammar keeps what it was compiled from, and that source, sent as JSON text and parsed again (as over the node
/// protocol), compiles to the same grammar: equal keys, equal shortest length, same parameter.
/// </summary>
public sealed class GrammarSourceTests
{
    [Fact]
    public void A_response_format_grammar_compiles_again_from_its_source_after_a_round_trip_through_json()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var grammar = JsonSchemaCompiler.CompileResponseFormat(RandomSchemas.Create(seed, strict: true), "output_config.schema", "output_config");

            var again = RoundTrip(grammar.Source).Compile()!;

            Assert.Equal(GrammarSourceKind.ResponseFormat, grammar.Source.Kind);
            Assert.Equal((grammar.Key, grammar.MinLength, "output_config"), (again.Key, again.MinLength, again.Parameter));
        }
    }

    [Fact]
    public void A_tools_grammar_keeps_its_choice_and_function_and_compiles_again()
    {
        var tools = JsonNode.Parse("""
            [{"type":"function","function":{"name":"get_weather","strict":true,"parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}},
             {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}}]
            """)!.AsArray();
        foreach (var (choice, function) in new[] { ("auto", (string?)null), ("required", null), ("required", "get_weather") })
        {
            var grammar = ToolCallGrammar.Build(tools, choice, function)!;

            var again = RoundTrip(grammar.Source).Compile()!;

            Assert.Equal((GrammarSourceKind.Tools, choice, function), (grammar.Source.Kind, grammar.Source.Choice, grammar.Source.FunctionName));
            Assert.Equal((grammar.Key, grammar.MinLength), (again.Key, again.MinLength));
        }
    }

    [Fact]
    public void A_source_outside_the_subset_fails_to_compile_as_the_original_would()
    {
        var source = new GrammarSource(GrammarSourceKind.ResponseFormat, JsonNode.Parse("""{"type":"object","patternProperties":{}}""")!, "response_format.json_schema.schema", "response_format");
        var refused = Assert.Throws<SchemaNotSupportedException>(() => source.Compile());
        Assert.Equal("response_format", refused.Parameter);

        var notTools = new GrammarSource(GrammarSourceKind.Tools, new JsonObject(), "tools", "tools", "required");
        Assert.Equal("tools", Assert.Throws<SchemaNotSupportedException>(() => notTools.Compile()).Parameter);
    }

    private static GrammarSource RoundTrip(GrammarSource source) => source with { Document = JsonNode.Parse(source.Document.ToJsonString())! };
}
