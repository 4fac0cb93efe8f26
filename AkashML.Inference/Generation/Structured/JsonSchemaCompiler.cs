using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// Compiles the supported JSON Schema subset into a grammar whose every sentence is compact JSON valid against the
/// schema: properties in schema order, no whitespace outside strings, numbers without exponent. Anything it cannot
/// guarantee is refused with <see cref="SchemaNotSupportedException"/> naming the JSON path and keyword.
/// </summary>
/// <remarks>
/// Supported: <c>type</c> (one or a list) string/number/integer/boolean/null/object/array; <c>properties</c>,
/// <c>required</c> (the rest are optional), <c>additionalProperties</c> false or true (no extra property is ever
/// written); <c>items</c>, <c>minItems</c>, <c>maxItems</c>; <c>enum</c>, <c>const</c>; <c>anyOf</c>; <c>$defs</c>/
/// <c>definitions</c> with local <c>$ref</c> (recursion included), <c>allOf</c> of one schema; <c>minLength</c>/<c>maxLength</c>; <c>format</c>
/// date, time, date-time, uuid; annotations are ignored.
/// </remarks>
public sealed class JsonSchemaCompiler
{
    /// <summary>Largest minItems/maxItems/minLength/maxLength accepted (each bound costs grammar nodes or cache states).</summary>
    public const int MaxBound = 1000;

    /// <summary>Most properties one object may declare (OpenAI's limit for a whole schema is 100 as well).</summary>
    public const int MaxProperties = 100;

    private static readonly HashSet<string> Annotations =
        ["title", "description", "default", "examples", "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly", "$defs", "definitions"];

    private static readonly HashSet<string> Assertions =
        ["type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "enum", "const", "anyOf", "allOf", "$ref", "format", "minLength", "maxLength"];

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly List<GrammarNode> _nodes = [];
    private readonly Dictionary<string, LiteralNode> _literals = [];
    private readonly Dictionary<(JsonNode Document, string Pointer), ChoiceNode> _refs = [];
    private GrammarNode? _anyValue;
    private JsonNode _document = new JsonObject();
    private string _documentPath = "";

    /// <summary>Compiles a <c>response_format</c> schema; its root must be an object, as OpenAI requires.</summary>
    public static StructuredGrammar CompileResponseFormat(JsonNode? schema, string path, string parameter = "response_format")
    {
        if (schema is not JsonObject root || root["type"] is not JsonValue type || type.GetValueKind() != JsonValueKind.String || type.GetValue<string>() != "object")
        {
            throw new SchemaNotSupportedException($"{path}: the root schema must be an object schema ({{\"type\":\"object\",...}}).", parameter);
        }

        var compiler = new JsonSchemaCompiler();
        var node = compiler.CompileDocument(schema, path, parameter);
        return compiler.Finish(node, "response:" + schema.ToJsonString(), path, parameter, new GrammarSource(GrammarSourceKind.ResponseFormat, schema, path, parameter));
    }

    /// <summary>Compiles one schema document (its <c>$defs</c> resolve its <c>$ref</c>s) into this compiler's grammar.</summary>
    internal GrammarNode CompileDocument(JsonNode schema, string path, string parameter)
    {
        _document = schema;
        _documentPath = path;
        return Compile(schema, path, parameter);
    }

    /// <summary>Any JSON value (for schema <c>{}</c> or <c>true</c>, and tools without a strict schema).</summary>
    internal GrammarNode AnyValue()
    {
        if (_anyValue is not null)
        {
            return _anyValue;
        }

        var value = Register(new ChoiceNode([]));
        _anyValue = value;
        var text = Register(new StringNode());
        var objectTail = Register(new ChoiceNode([]));
        objectTail.Add(Literal("}"));
        objectTail.Add(Sequence(Literal(","), text, Literal(":"), value, objectTail));
        var arrayTail = Register(new ChoiceNode([]));
        arrayTail.Add(Literal("]"));
        arrayTail.Add(Sequence(Literal(","), value, arrayTail));
        value.Add(Sequence(Literal("{"), Choice(Literal("}"), Sequence(text, Literal(":"), value, objectTail))));
        value.Add(Sequence(Literal("["), Choice(Literal("]"), Sequence(value, arrayTail))));
        value.Add(text);
        value.Add(Register(new NumberNode(isInteger: false)));
        value.Add(Literal("true"));
        value.Add(Literal("false"));
        value.Add(Literal("null"));
        return value;
    }

    internal LiteralNode Literal(string text)
    {
        if (!_literals.TryGetValue(text, out var literal))
        {
            literal = Register(new LiteralNode(text));
            _literals[text] = literal;
        }

        return literal;
    }

    internal SequenceNode Sequence(params GrammarNode[] parts) => Register(new SequenceNode(parts));

    internal ChoiceNode Choice(params GrammarNode[] options) => Register(new ChoiceNode(options));

    /// <summary>Lengths by fixpoint (recursion), left-recursion check, then the immutable grammar.</summary>
    internal StructuredGrammar Finish(GrammarNode root, string key, string path, string parameter, GrammarSource source)
    {
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var node in _nodes)
            {
                var min = node switch
                {
                    SequenceNode sequence => sequence.ComputeMin(),
                    ChoiceNode choice => choice.ComputeMin(),
                    _ => node.MinLength,
                };
                if (min < node.MinLength)
                {
                    node.MinLength = min;
                    changed = true;
                }
            }
        }

        foreach (var sequence in _nodes.OfType<SequenceNode>())
        {
            sequence.FreezeSuffixes();
        }

        if (root.MinLength >= GrammarNode.Unbounded)
        {
            throw new SchemaNotSupportedException($"{path}: the schema has no finite instance (a required recursion never ends).", parameter);
        }

        RefuseLeftRecursion(path, parameter);
        return new StructuredGrammar(root, [.. _nodes], key, parameter, source);
    }

    internal static string JsonText(JsonNode? value) => value is null ? "null" : value.ToJsonString(Compact);

    internal static string JsonString(string value) => JsonValue.Create(value).ToJsonString(Compact);

    internal T Register<T>(T node)
        where T : GrammarNode
    {
        node.Id = _nodes.Count;
        _nodes.Add(node);
        return node;
    }

    private GrammarNode Compile(JsonNode? schema, string path, string parameter)
    {
        switch (schema)
        {
            case JsonValue b when b.GetValueKind() == JsonValueKind.True:
                return AnyValue();
            case JsonObject:
                break;
            default:
                throw Refuse(path, "a schema must be an object", parameter);
        }

        var obj = (JsonObject)schema;
        foreach (var (keyword, _) in obj)
        {
            if (!Annotations.Contains(keyword) && !Assertions.Contains(keyword))
            {
                throw Refuse(path, $"keyword '{keyword}' is not supported", parameter);
            }
        }

        var assertions = obj.Select(p => p.Key).Where(Assertions.Contains).ToList();
        if (obj["$ref"] is { } reference)
        {
            RequireAlone(assertions, "$ref", path, parameter);
            return Reference(reference, path, parameter);
        }

        if (obj["allOf"] is { } allOf)
        {
            // Only the one-schema form generators emit to attach annotations to a $ref.
            RequireAlone(assertions, "allOf", path, parameter);
            return allOf is JsonArray { Count: 1 } single
                ? Compile(single[0], path + ".allOf[0]", parameter)
                : throw Refuse(path, "'allOf' with more than one schema is not supported", parameter);
        }

        if (obj["anyOf"] is { } anyOf)
        {
            RequireAlone(assertions, "anyOf", path, parameter);
            if (anyOf is not JsonArray { Count: > 0 } branches)
            {
                throw Refuse(path, "'anyOf' must be a non-empty array", parameter);
            }

            return Choice([.. branches.Select((branch, i) => Compile(branch, $"{path}.anyOf[{i}]", parameter))]);
        }

        var types = Types(obj, path, parameter);
        if (obj.ContainsKey("const") || obj.ContainsKey("enum"))
        {
            return Values(obj, types, path, parameter);
        }

        if (types is null)
        {
            return AnyValue();
        }

        return types.Count == 1 ? Typed(obj, types[0], path, parameter) : Choice([.. types.Select(t => Typed(obj, t, path, parameter))]);
    }

    private static List<string>? Types(JsonObject obj, string path, string parameter)
    {
        switch (obj["type"])
        {
            case null:
                return obj.ContainsKey("properties") ? ["object"] : obj.ContainsKey("items") ? ["array"] : null;
            case JsonValue single when single.GetValueKind() == JsonValueKind.String:
                return [single.GetValue<string>()];
            case JsonArray { Count: > 0 } list when list.All(t => t is JsonValue v && v.GetValueKind() == JsonValueKind.String):
                return [.. list.Select(t => t!.GetValue<string>()).Distinct(StringComparer.Ordinal)];
            default:
                throw Refuse(path, "'type' must be a type name or a non-empty array of them", parameter);
        }
    }

    private GrammarNode Values(JsonObject obj, List<string>? types, string path, string parameter)
    {
        IEnumerable<JsonNode?> values = obj.ContainsKey("const") ? new[] { obj["const"] }
            : obj["enum"] is JsonArray { Count: > 0 } list ? list
            : throw Refuse(path, "'enum' must be a non-empty array", parameter);
        var literals = values.Where(v => types is null || types.Any(t => HasType(v, t))).Select(v => (GrammarNode)Literal(JsonText(v))).Distinct().ToArray();
        if (literals.Length == 0)
        {
            throw Refuse(path, "no 'enum'/'const' value has the schema's 'type'", parameter);
        }

        return literals.Length == 1 ? literals[0] : Choice(literals);
    }

    private static bool HasType(JsonNode? value, string type) => (type, value?.GetValueKind() ?? JsonValueKind.Null) switch
    {
        ("null", JsonValueKind.Null) or ("string", JsonValueKind.String) or ("object", JsonValueKind.Object) or ("array", JsonValueKind.Array) => true,
        ("boolean", JsonValueKind.True or JsonValueKind.False) or ("number", JsonValueKind.Number) => true,
        ("integer", JsonValueKind.Number) => value!.GetValue<JsonElement>().TryGetDecimal(out var number) && decimal.Truncate(number) == number,
        _ => false,
    };

    private GrammarNode Typed(JsonObject obj, string type, string path, string parameter) => type switch
    {
        "object" => ObjectOf(obj, path, parameter),
        "array" => ArrayOf(obj, path, parameter),
        "string" => StringOf(obj, path, parameter),
        "number" => Register(new NumberNode(isInteger: false)),
        "integer" => Register(new NumberNode(isInteger: true)),
        "boolean" => Choice(Literal("true"), Literal("false")),
        "null" => Literal("null"),
        _ => throw Refuse(path, $"type '{type}' is not supported", parameter),
    };

    private GrammarNode ObjectOf(JsonObject obj, string path, string parameter)
    {
        var properties = obj["properties"] switch
        {
            null => [],
            JsonObject p => p.Select(pair => (Name: pair.Key, Schema: pair.Value)).ToList(),
            _ => throw Refuse(path, "'properties' must be an object", parameter),
        };
        if (properties.Count > MaxProperties)
        {
            throw Refuse(path, string.Create(CultureInfo.InvariantCulture, $"an object may declare at most {MaxProperties} properties"), parameter);
        }

        var required = obj["required"] switch
        {
            null => [],
            JsonArray r when r.All(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String) => r.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal),
            _ => throw Refuse(path, "'required' must be an array of property names", parameter),
        };
        foreach (var name in required.Where(name => properties.All(p => p.Name != name)))
        {
            throw Refuse(path, $"'required' names '{name}', which is not in 'properties'", parameter);
        }

        if (obj["additionalProperties"] is { } additional && additional.GetValueKind() is not (JsonValueKind.False or JsonValueKind.True))
        {
            throw Refuse(path, "'additionalProperties' must be false or true (a schema there is not supported)", parameter);
        }

        var values = properties.Select(p => Compile(p.Schema, $"{path}.properties.{p.Name}", parameter)).ToArray();

        // After(i, first): the properties from i on, and the closing brace; "first" means no comma is due yet.
        var memo = new Dictionary<(int, bool), GrammarNode>();
        GrammarNode After(int i, bool first)
        {
            if (memo.TryGetValue((i, first), out var known))
            {
                return known;
            }

            GrammarNode node;
            if (i == properties.Count)
            {
                node = Literal("}");
            }
            else
            {
                var key = Literal((first ? "" : ",") + JsonString(properties[i].Name) + ":");
                var present = Sequence(key, values[i], After(i + 1, first: false));
                node = required.Contains(properties[i].Name) ? present : Choice(present, After(i + 1, first));
            }

            memo[(i, first)] = node;
            return node;
        }

        return Sequence(Literal("{"), After(0, first: true));
    }

    private GrammarNode ArrayOf(JsonObject obj, string path, string parameter)
    {
        var item = obj["items"] is { } items ? Compile(items, path + ".items", parameter) : AnyValue();
        var min = Bound(obj, "minItems", path, parameter) ?? 0;
        var max = Bound(obj, "maxItems", path, parameter);
        if (max < min)
        {
            throw Refuse(path, "'maxItems' is below 'minItems'", parameter);
        }

        var close = Literal("]");

        // Tail(k): what may follow k items. Past minItems with no maxItems every tail is the same (recursive) node.
        GrammarNode next;
        if (max is { } bounded)
        {
            next = close;
            for (var k = bounded - 1; k >= 1; k--)
            {
                var more = Sequence(Literal(","), item, next);
                next = k >= min ? Choice(close, more) : more;
            }
        }
        else
        {
            var open = Choice(close);
            open.Add(Sequence(Literal(","), item, open));
            next = open;
            for (var k = min - 1; k >= 1; k--)
            {
                next = Sequence(Literal(","), item, next);
            }
        }

        // next is now Tail(1).
        GrammarNode first = max == 0 ? close : Sequence(item, next);
        return Sequence(Literal("["), min == 0 && max != 0 ? Choice(close, first) : first);
    }

    private GrammarNode StringOf(JsonObject obj, string path, string parameter)
    {
        var min = Bound(obj, "minLength", path, parameter);
        var max = Bound(obj, "maxLength", path, parameter);
        if (obj["format"] is not { } format)
        {
            if (max < (min ?? 0))
            {
                throw Refuse(path, "'maxLength' is below 'minLength'", parameter);
            }

            return Register(new StringNode(min ?? 0, max));
        }

        if (min is not null || max is not null)
        {
            throw Refuse(path, "'format' together with 'minLength'/'maxLength' is not supported", parameter);
        }

        var name = format.GetValueKind() == JsonValueKind.String ? format.GetValue<string>() : "";
        var digit = Register(new CharClassNode("0-9"));
        var hex = Register(new CharClassNode("0-9a-f"));
        GrammarNode Digits(string first, string second) => Sequence(Register(new CharClassNode(first)), Register(new CharClassNode(second)));

        // Days stop at 28 so every generated date exists, whatever the month; years start at 1000 (year 0 trips
        // common date parsers).
        GrammarNode Date() => Sequence(Register(new CharClassNode("1-9")), digit, digit, digit, Literal("-"),
            Choice(Digits("0", "1-9"), Digits("1", "0-2")), Literal("-"),
            Choice(Digits("0", "1-9"), Digits("1", "0-9"), Digits("2", "0-8")));
        GrammarNode Time() => Sequence(Choice(Digits("0-1", "0-9"), Digits("2", "0-3")), Literal(":"), Digits("0-5", "0-9"), Literal(":"), Digits("0-5", "0-9"), Literal("Z"));
        GrammarNode Hex(int count) => Sequence([.. Enumerable.Repeat<GrammarNode>(hex, count)]);
        GrammarNode body = name switch
        {
            "date" => Date(),
            "time" => Time(),
            "date-time" => Sequence(Date(), Literal("T"), Time()),
            "uuid" => Sequence(Hex(8), Literal("-"), Hex(4), Literal("-"), Hex(4), Literal("-"), Hex(4), Literal("-"), Hex(12)),
            _ => throw Refuse(path, $"format '{name}' is not supported (date, time, date-time and uuid are)", parameter),
        };
        return Sequence(Literal("\""), body, Literal("\""));
    }

    private static int? Bound(JsonObject obj, string keyword, string path, string parameter)
    {
        if (obj[keyword] is not { } value)
        {
            return null;
        }

        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var number) && number is >= 0 and <= MaxBound)
        {
            return number;
        }

        throw Refuse(path, string.Create(CultureInfo.InvariantCulture, $"'{keyword}' must be an integer from 0 to {MaxBound}"), parameter);
    }

    private GrammarNode Reference(JsonNode reference, string path, string parameter)
    {
        var pointer = reference.GetValueKind() == JsonValueKind.String ? reference.GetValue<string>() : "";
        if (!pointer.StartsWith('#'))
        {
            throw Refuse(path, $"'$ref' must point inside the schema ('#/$defs/Name'), got '{pointer}'", parameter);
        }

        var key = (_document, pointer);
        if (_refs.TryGetValue(key, out var known))
        {
            return known;
        }

        var target = _document;
        foreach (var segment in pointer[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(segment).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            target = (target as JsonObject)?[name] ?? throw Refuse(path, $"'$ref' '{pointer}' points at nothing", parameter);
        }

        // A placeholder first, so a recursive reference inside the target finds it.
        var placeholder = Register(new ChoiceNode([]));
        _refs[key] = placeholder;
        placeholder.Add(Compile(target, _documentPath + pointer[1..].Replace('/', '.'), parameter));
        return placeholder;
    }

    private static void RequireAlone(List<string> assertions, string keyword, string path, string parameter)
    {
        if (assertions.FirstOrDefault(a => a != keyword) is { } other)
        {
            throw Refuse(path, $"keyword '{other}' beside '{keyword}' is not supported", parameter);
        }
    }

    private void RefuseLeftRecursion(string path, string parameter)
    {
        // Edges to what a node may start with without reading a character; a cycle would expand forever.
        var state = new byte[_nodes.Count];
        bool Cycles(GrammarNode node)
        {
            if (state[node.Id] == 1)
            {
                return true;
            }

            if (state[node.Id] == 2)
            {
                return false;
            }

            state[node.Id] = 1;
            var cycles = false;
            if (node is ChoiceNode choice)
            {
                cycles = choice.Options.Any(Cycles);
            }
            else if (node is SequenceNode sequence)
            {
                foreach (var part in sequence.Parts)
                {
                    if (Cycles(part))
                    {
                        cycles = true;
                        break;
                    }

                    if (part.MinLength > 0)
                    {
                        break;
                    }
                }
            }

            state[node.Id] = 2;
            return cycles;
        }

        if (_nodes.Any(Cycles))
        {
            throw new SchemaNotSupportedException($"{path}: a '$ref' recursion reaches itself without writing anything.", parameter);
        }
    }

    private static SchemaNotSupportedException Refuse(string path, string problem, string parameter) => new($"{path}: {problem}", parameter);
}
