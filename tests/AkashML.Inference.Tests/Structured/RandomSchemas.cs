using System.Text.Json.Nodes;

namespace AkashML.Inference.Tests.Structured;

/// <summary>
/// Seeded random schemas from the supported subset, bounded in size: every keyword appears across a few dozen
/// seeds. Linked into the integration tests too.
/// </summary>
internal static class RandomSchemas
{
    private static readonly string[] Names = ["id", "name", "tags", "count", "ratio", "ok", "nothing", "when", "kind", "child", "note", "a b", "quote\"d"];

    /// <summary>A root object schema; <paramref name="strict"/> makes every property required (OpenAI strict mode).</summary>
    public static JsonObject Create(int seed, bool strict)
    {
        var random = new Random(seed);
        var defs = new JsonObject();
        var root = ObjectSchema(random, depth: 0, strict, defs);
        if (defs.Count > 0)
        {
            root["$defs"] = defs;
        }

        return root;
    }

    private static JsonObject ObjectSchema(Random random, int depth, bool strict, JsonObject defs)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        var count = random.Next(1, depth == 0 ? 5 : 3);
        foreach (var name in Names.OrderBy(_ => random.Next()).Take(count))
        {
            properties[name] = Value(random, depth + 1, strict, defs);
            if (strict || random.Next(2) == 0)
            {
                required.Add(name);
            }
        }

        return new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required, ["additionalProperties"] = false };
    }

    private static JsonNode Value(Random random, int depth, bool strict, JsonObject defs)
    {
        var pick = random.Next(depth >= 3 ? 9 : 14);
        return pick switch
        {
            0 => new JsonObject { ["type"] = "string", ["description"] = "free text" },
            1 => random.Next(2) == 0
                ? new JsonObject { ["type"] = "string", ["minLength"] = random.Next(0, 3), ["maxLength"] = random.Next(3, 12) }
                : new JsonObject { ["type"] = "string", ["format"] = new[] { "date", "time", "date-time", "uuid" }[random.Next(4)] },
            2 => new JsonObject { ["type"] = "number" },
            3 => new JsonObject { ["type"] = "integer" },
            4 => new JsonObject { ["type"] = "boolean" },
            5 => new JsonObject { ["type"] = "null" },
            6 => new JsonObject { ["enum"] = new JsonArray("red", "green", 3, null, true) },
            7 => new JsonObject { ["const"] = random.Next(2) == 0 ? "fixed" : 42 },
            8 => new JsonObject { ["type"] = new JsonArray("string", "null") },
            9 => ArraySchema(random, depth, strict, defs),
            10 => ObjectSchema(random, depth, strict, defs),
            11 => new JsonObject { ["anyOf"] = new JsonArray(Value(random, depth + 1, strict, defs), Value(random, depth + 1, strict, defs)) },
            12 => Reference(random, depth, strict, defs),
            _ => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "integer" }, ["maxItems"] = 3 },
        };
    }

    private static JsonObject ArraySchema(Random random, int depth, bool strict, JsonObject defs)
    {
        var schema = new JsonObject { ["type"] = "array", ["items"] = Value(random, depth + 1, strict, defs) };
        if (random.Next(2) == 0)
        {
            schema["minItems"] = random.Next(0, 2);
        }

        if (random.Next(2) == 0)
        {
            schema["maxItems"] = random.Next(2, 4);
        }

        return schema;
    }

    private static JsonObject Reference(Random random, int depth, bool strict, JsonObject defs)
    {
        var name = "Def" + defs.Count;
        defs[name] = null;
        defs[name] = ObjectSchema(random, depth + 1, strict, defs);
        return new JsonObject { ["$ref"] = "#/$defs/" + name };
    }
}
