using System.Text;
using System.Text.Json.Nodes;

namespace AkashML.Web.IntegrationTests.Api;

/// <summary>Seeded malformed request bodies for the public POST routes (see <see cref="MalformedBodyTests"/>).</summary>
internal static class MalformedBodies
{
    private static readonly string[] OddStrings = ["\\ud800", "a\\udfffb", "\\u0000", "\u202e", "💥", "", " ", "null", "{\"x\":1}"];

    private static readonly string[] OddNumbers = ["1e400", "-1e400", "1e-400", "9223372036854775808", "-0", "0.5", "1.0000000000000000001", "-1", "1e308", "12345678901234567890"];

    private static readonly Func<Random, string, byte[]>[] Kinds =
    [
        Truncated,
        WrongType,
        OddNumber,
        OddString,
        InvalidUtf8,
        DeepNesting,
        DuplicateKeys,
        UnknownFields,
        OddMessages,
        OddTools,
        OddSchemas,
        NotAnObject,
        HugeString,
    ];

    public static byte[] Next(Random random, string route, int index)
    {
        // One huge body per route is enough: it only checks the size limit answers in the route's shape.
        var kinds = index == 0 ? Kinds : Kinds[..^1];
        return kinds[index == 0 ? kinds.Length - 1 : random.Next(kinds.Length)](random, route);
    }

    /// <summary>A well-formed body for the route, as a starting point for mutations.</summary>
    private static JsonObject Valid(string route) => route switch
    {
        "v1/completions" => new JsonObject { ["model"] = ApiHostFixture.Model, ["prompt"] = "Hello", ["max_tokens"] = 2 },
        "tokenize" => new JsonObject { ["model"] = ApiHostFixture.Model, ["prompt"] = "Hello" },
        var anthropic when anthropic.StartsWith("anthropic", StringComparison.Ordinal) => new JsonObject
        {
            ["model"] = ApiHostFixture.Model,
            ["max_tokens"] = 2,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hello" }),
        },
        _ => new JsonObject
        {
            ["model"] = ApiHostFixture.Model,
            ["max_tokens"] = 2,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hello" }),
        },
    };

    private static readonly string[] Fields =
    [
        "model", "prompt", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "n", "stop",
        "stop_sequences", "stream", "stream_options", "logprobs", "top_logprobs", "logit_bias", "seed", "tools", "system",
        "response_format", "best_of", "echo", "suffix", "presence_penalty", "frequency_penalty", "min_p", "add_special_tokens",
    ];

    private static string Field(Random random) => Fields[random.Next(Fields.Length)];

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Truncated(Random random, string route)
    {
        var text = Valid(route).ToJsonString();
        return Utf8(text[..random.Next(0, text.Length - 1)]);
    }

    private static byte[] WrongType(Random random, string route)
    {
        var body = Valid(route);
        JsonNode?[] values = [JsonValue.Create(true), JsonValue.Create(42), JsonValue.Create("text"), new JsonArray(1, "two", null), new JsonObject { ["a"] = 1 }, null];
        body[Field(random)] = values[random.Next(values.Length)]?.DeepClone();
        return Utf8(body.ToJsonString());
    }

    private static byte[] OddNumber(Random random, string route)
    {
        var text = Valid(route).ToJsonString();
        var field = Field(random);
        return Utf8(text[..^1] + $",\"{field}\":{OddNumbers[random.Next(OddNumbers.Length)]}}}");
    }

    private static byte[] OddString(Random random, string route)
    {
        var text = Valid(route).ToJsonString();
        var odd = OddStrings[random.Next(OddStrings.Length)];
        return random.Next(3) switch
        {
            0 => Utf8(text.Replace("Hello", odd, StringComparison.Ordinal)),
            1 => Utf8(text[..^1] + $",\"{Field(random)}\":\"{odd}\"}}"),
            _ => Utf8(text[..^1] + $",\"stop\":[\"{odd}\"],\"stop_sequences\":[\"{odd}\"]}}"),
        };
    }

    private static byte[] InvalidUtf8(Random random, string route)
    {
        var text = Utf8(Valid(route).ToJsonString());
        var at = Array.IndexOf(text, (byte)'H');
        byte[][] bad = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]];
        var insert = bad[random.Next(bad.Length)];
        return [.. text[..at], .. insert, .. text[at..]];
    }

    private static byte[] DeepNesting(Random random, string route)
    {
        var depth = random.Next(2) == 0 ? 10_000 : 200;
        var text = Valid(route).ToJsonString();
        var open = random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        return Utf8(text[..^1] + $",\"{Field(random)}\":{nested}}}");
    }

    private static byte[] DuplicateKeys(Random random, string route)
    {
        var text = Valid(route).ToJsonString();
        return Utf8(text[..^1] + ",\"model\":\"nobody/none\",\"max_tokens\":-5,\"model\":7}");
    }

    private static byte[] UnknownFields(Random random, string route)
    {
        var body = Valid(route);
        for (var i = 0; i < random.Next(1, 50); i++)
        {
            body["x_" + i] = new JsonObject { ["nested"] = new JsonArray(i, "v", null) };
        }

        return Utf8(body.ToJsonString());
    }

    private static byte[] OddMessages(Random random, string route)
    {
        var body = Valid(route);
        JsonNode?[] messages =
        [
            new JsonArray(),
            new JsonArray(Enumerable.Range(0, 5000).Select(i => (JsonNode?)new JsonObject { ["role"] = i % 2 == 0 ? "user" : "assistant", ["content"] = "hi" }).ToArray()),
            new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "image", ["source"] = 5 }) }),
            new JsonArray(new JsonObject { ["role"] = "user" }),
            new JsonArray(new JsonObject { ["role"] = "tool", ["content"] = new JsonObject() }),
            new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_result", ["content"] = new JsonArray(1, 2) }) }),
            new JsonArray("user", "hi"),
            new JsonArray(new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(new JsonObject { ["function"] = 3 }) }),
        ];
        body["messages"] = messages[random.Next(messages.Length)];
        if (random.Next(2) == 0)
        {
            body["system"] = new JsonArray(new JsonObject { ["type"] = "text" }, 7);
        }

        return Utf8(body.ToJsonString());
    }

    private static byte[] OddTools(Random random, string route)
    {
        var body = Valid(route);
        JsonNode?[] tools =
        [
            new JsonArray(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "f", ["parameters"] = "not a schema" } }),
            new JsonArray(new JsonObject { ["name"] = 5, ["input_schema"] = new JsonArray() }),
            new JsonArray(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = new string('x', 100_000) } }),
            new JsonArray(1, 2, 3),
            new JsonObject { ["tools"] = true },
        ];
        body["tools"] = tools[random.Next(tools.Length)];
        body["tool_choice"] = random.Next(2) == 0 ? "required" : new JsonObject { ["type"] = "tool", ["name"] = 1 };
        return Utf8(body.ToJsonString());
    }

    private static byte[] OddSchemas(Random random, string route)
    {
        var body = Valid(route);
        string[] schemas =
        [
            """{"type":"object","properties":{"a":null}}""",
            """{"type":"object","properties":{"a":{"type":["string",5]}}}""",
            """{"type":"object","properties":{"a":{"type":"array","maxItems":1e400}}}""",
            """{"type":"object","properties":{"a":{"type":"integer","enum":[1e400,-0,12345678901234567890]}}}""",
            """{"type":"object","properties":{"a":{"$ref":"#/$defs/a"}},"required":["a"],"$defs":{"a":{"$ref":"#/$defs/a"}}}""",
            """{"type":"object","properties":{"a":{"$ref":5}},"required":"a"}""",
            """{"type":"object","properties":{"a":{"anyOf":[]}},"additionalProperties":"no"}""",
            """{"type":"object","properties":{"a":{"type":"string","format":7,"minLength":"3"}}}""",
            """{"type":"object","properties":{"a":{"type":"string","minLength":900}},"required":["a"]}""",
        ];
        var schema = JsonNode.Parse(schemas[random.Next(schemas.Length)]);
        if (random.Next(2) == 0)
        {
            body["response_format"] = new JsonObject { ["type"] = "json_schema", ["json_schema"] = new JsonObject { ["name"] = "x", ["strict"] = true, ["schema"] = schema } };
        }
        else
        {
            body["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "f", ["strict"] = true, ["parameters"] = schema } });
            body["tool_choice"] = random.Next(2) == 0 ? "required" : new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "g" } };
        }

        return Utf8(body.ToJsonString());
    }

    private static byte[] NotAnObject(Random random, string route)
    {
        string[] texts = ["", "null", "[]", "\"text\"", "42", "true", "{", "}", "{\"model\":}", "{'model':'x'}", "\uFEFF{}", "{\"model\":\"akashml/tiny-random\"}"];
        return Utf8(texts[random.Next(texts.Length)]);
    }

    private static byte[] HugeString(Random random, string route)
    {
        var body = Valid(route);
        body[route == "v1/completions" || route == "tokenize" ? "prompt" : "system"] = new string('a', 10 * 1024 * 1024);
        return Utf8(body.ToJsonString());
    }
}
