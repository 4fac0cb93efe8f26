using System.Text.Json.Nodes;
using AkashML.Inference.Generation.Structured;

namespace AkashML.Inference.Tests.Structured;

public sealed class JsonSchemaCompilerTests
{
    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}""", """{"a":""}""", """{"a":"x\"y"}""", """{}""")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"number"}},"required":["b"]}""", """{"b":0}""", """{"a":-12,"b":3.25}""", """{"b":1e5}""")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"boolean"},"b":{"type":"null"}},"required":["a","b"]}""", """{"a":true,"b":null}""", """{"a":false,"b":null}""", """{"b":null,"a":true}""")]
    [InlineData("""{"type":"object","properties":{"e":{"enum":["red",2,null]},"c":{"const":{"k":[1]}}},"required":["e","c"]}""", """{"e":2,"c":{"k":[1]}}""", """{"e":"red","c":{"k":[1]}}""", """{"e":"blue","c":{"k":[1]}}""")]
    [InlineData("""{"type":"object","properties":{"l":{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":2}},"required":["l"]}""", """{"l":[0]}""", """{"l":[1,2]}""", """{"l":[1,2,3]}""")]
    [InlineData("""{"type":"object","properties":{"l":{"type":"array","items":{"type":"integer"},"minItems":2}},"required":["l"]}""", """{"l":[0,0]}""", """{"l":[1,2,3,4,5]}""", """{"l":[1]}""")]
    [InlineData("""{"type":"object","properties":{"u":{"anyOf":[{"type":"string"},{"type":"integer"}]},"t":{"type":["string","null"]}},"required":["u","t"]}""", """{"u":0,"t":""}""", """{"u":5,"t":null}""", """{"u":true,"t":null}""")]
    [InlineData("""{"type":"object","properties":{"s":{"type":"string","minLength":2,"maxLength":3}},"required":["s"]}""", """{"s":"aa"}""", """{"s":"abc"}""", """{"s":"abcd"}""")]
    [InlineData("""{"type":"object","properties":{"d":{"type":"string","format":"date"},"t":{"type":"string","format":"date-time"}},"required":["d","t"]}""", """{"d":"1000-01-01","t":"1000-01-01T00:00:00Z"}""", """{"d":"2024-12-28","t":"2024-02-28T23:59:59Z"}""", """{"d":"2024-13-01","t":"2024-02-28T23:59:59Z"}""")]
    [InlineData("""{"type":"object","properties":{"i":{"type":"string","format":"uuid"},"h":{"type":"string","format":"time"}},"required":["i","h"]}""", """{"i":"00000000-0000-0000-0000-000000000000","h":"00:00:00Z"}""", """{"i":"0f9e2c4a-1b3d-4e5f-8a7b-6c5d4e3f2a1b","h":"23:59:59Z"}""", """{"i":"0F9E2C4A-1B3D-4E5F-8A7B-6C5D4E3F2A1B","h":"23:59:59Z"}""")]
    [InlineData("""{"type":"object","properties":{"n":{"$ref":"#/$defs/node"}},"required":["n"],"$defs":{"node":{"type":"object","properties":{"next":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/node"}]}},"required":["next"]}}}""", """{"n":{"next":null}}""", """{"n":{"next":{"next":null}}}""", """{"n":{}}""")]
    [InlineData("""{"type":"object","properties":{"a":{"allOf":[{"$ref":"#/$defs/x"}],"description":"d"}},"required":["a"],"$defs":{"x":{"enum":["p","q"]}}}""", """{"a":"p"}""", """{"a":"q"}""", """{"a":"r"}""")]
    [InlineData("""{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"any":{},"old":{"$ref":"#/definitions/x"}},"required":["any","old"],"definitions":{"x":{"type":"integer","title":"X","description":"d"}}}""", """{"any":0,"old":0}""", """{"any":{"k":[1,"x",{}]},"old":7}""", """{"any":1,"old":"7"}""")]
    public void Compiles_each_supported_keyword_into_exactly_its_compact_instances(string schema, string shortest, string accepted, string rejected)
    {
        var grammar = JsonSchemaCompiler.CompileResponseFormat(JsonNode.Parse(schema), "schema");

        Assert.Equal(shortest.Length, grammar.MinLength);
        Assert.True(Accepts(grammar, shortest), shortest);
        Assert.True(Accepts(grammar, accepted), accepted);
        Assert.False(Accepts(grammar, rejected), rejected);
        Assert.Null(SchemaValidation.Problem(schema, shortest));
        Assert.Null(SchemaValidation.Problem(schema, accepted));
    }

    [Theory]
    [InlineData("""{"type":"object","patternProperties":{"^a":{"type":"string"}}}""", "response_format.json_schema.schema: keyword 'patternProperties' is not supported")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string","pattern":"^x"}}}""", "response_format.json_schema.schema.properties.a: keyword 'pattern' is not supported")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer","minimum":1}}}""", "keyword 'minimum' is not supported")]
    [InlineData("""{"type":"object","properties":{"a":{"oneOf":[{"type":"string"}]}}}""", "keyword 'oneOf' is not supported")]
    [InlineData("""{"type":"object","properties":{"a":{"allOf":[{"type":"string"},{"type":"string"}]}}}""", "'allOf' with more than one schema is not supported")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"array","items":{"type":"string"},"uniqueItems":true}}}""", "keyword 'uniqueItems' is not supported")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"string"}}""", "'additionalProperties' must be false or true")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string","format":"email"}}}""", "format 'email' is not supported")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"https://example.com/x.json"}}}""", "'$ref' must point inside the schema")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"#/$defs/missing"}}}""", "points at nothing")]
    [InlineData("""{"type":"object","properties":{"a":{"anyOf":[{"type":"string"}],"type":"string"}}}""", "keyword 'type' beside 'anyOf' is not supported")]
    [InlineData("""{"type":"object","required":["ghost"]}""", "'required' names 'ghost'")]
    [InlineData("""{"type":"string"}""", "the root schema must be an object schema")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"array","maxItems":5000}}}""", "'maxItems' must be an integer from 0 to 1000")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"tuple"}}}""", "type 'tuple' is not supported")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"#/$defs/loop"}},"required":["a"],"$defs":{"loop":{"type":"object","properties":{"again":{"$ref":"#/$defs/loop"}},"required":["again"]}}}""", "has no finite instance")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"#/$defs/self"}},"$defs":{"self":{"anyOf":[{"$ref":"#/$defs/self"},{"type":"null"}]}}}""", "reaches itself without writing anything")]
    public void Refuses_what_it_cannot_guarantee_naming_the_path_and_keyword(string schema, string expected)
    {
        var ex = Assert.Throws<SchemaNotSupportedException>(() => JsonSchemaCompiler.CompileResponseFormat(JsonNode.Parse(schema), "response_format.json_schema.schema"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal("response_format", ex.Parameter);
    }

    [Fact]
    public void Numbers_stop_at_fifteen_integer_and_six_fraction_digits()
    {
        var grammar = JsonSchemaCompiler.CompileResponseFormat(JsonNode.Parse("""{"type":"object","properties":{"n":{"type":"number"}},"required":["n"]}"""), "schema");

        Assert.True(Accepts(grammar, """{"n":-123456789012345.123456}"""));
        Assert.False(Accepts(grammar, """{"n":1234567890123456}"""));
        Assert.False(Accepts(grammar, """{"n":1.1234567}"""));
        Assert.False(Accepts(grammar, """{"n":01}"""));
    }

    private static bool Accepts(StructuredGrammar grammar, string text)
    {
        var state = new StructuredParser().Advance(StructuredParser.Initial(grammar.Root), text);
        return state is { IsFinished: true };
    }
}
