using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// The grammar of an answer that may call tools, in the format tool-capable templates teach (Hermes/Qwen):
/// <c>&lt;tool_call&gt;{"name":…,"arguments":{…}}&lt;/tool_call&gt;</c>. Tools whose <c>function.strict</c> is true
/// get arguments valid against their <c>parameters</c>; the others any JSON object.
/// </summary>
public static class ToolCallGrammar
{
    public const string OpenTag = "<tool_call>";
    public const string CloseTag = "</tool_call>";

    /// <summary>
    /// The grammar for <paramref name="tools"/> (OpenAI shape) under <paramref name="choice"/>: <c>auto</c> lets prose
    /// and calls alternate; <c>required</c> or a function name asks for exactly one call. Null when no tool is strict
    /// or the choice is <c>none</c>: the answer is then unconstrained, as before.
    /// </summary>
    public static StructuredGrammar? Build(JsonArray tools, string choice, string? functionName = null)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var strict = tools.Any(t => t?["function"]?["strict"] is JsonValue s && s.GetValueKind() == JsonValueKind.True);
        if (!strict || choice == "none")
        {
            return null;
        }

        var compiler = new JsonSchemaCompiler();
        var calls = new List<GrammarNode>();
        for (var i = 0; i < tools.Count; i++)
        {
            var function = tools[i]!["function"]!;
            var name = function["name"]!.GetValue<string>();
            if (functionName is not null && name != functionName)
            {
                continue;
            }

            var path = $"tools[{i}].function.parameters";
            var isStrict = function["strict"] is JsonValue s && s.GetValueKind() == JsonValueKind.True;
            var parameters = function["parameters"] ?? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
            if (isStrict && (parameters is not JsonObject p || p["type"]?.GetValueKind() != JsonValueKind.String || p["type"]!.GetValue<string>() != "object"))
            {
                throw new SchemaNotSupportedException($"{path}: a strict tool's parameters must be an object schema ({{\"type\":\"object\",...}}).", "tools");
            }

            var arguments = isStrict ? compiler.CompileDocument(parameters, path, "tools") : AnyObject(compiler);
            calls.Add(compiler.Sequence(
                compiler.Literal(OpenTag + "{\"name\":" + JsonSchemaCompiler.JsonString(name) + ",\"arguments\":"),
                arguments,
                compiler.Literal("}" + CloseTag)));
        }

        if (calls.Count == 0)
        {
            throw new SchemaNotSupportedException($"tool_choice: no tool is named '{functionName}'.", "tool_choice");
        }

        var call = calls.Count == 1 ? calls[0] : compiler.Choice([.. calls]);
        var root = choice == "auto" ? Loop(compiler, call) : call;
        var key = "tools:" + choice + ":" + functionName + ":" + tools.ToJsonString();
        return compiler.Finish(root, key, "tools", "tools", new GrammarSource(GrammarSourceKind.Tools, tools, "tools", "tools", choice, functionName));
    }

    // answer = prose (end | call answer): the call is the last part, so repeating does not deepen the parse stack.
    private static GrammarNode Loop(JsonSchemaCompiler compiler, GrammarNode call)
    {
        var answer = compiler.Sequence(compiler.Register(new FreeTextNode(OpenTag)), compiler.Choice());
        var next = (ChoiceNode)answer.Parts[1];
        next.Add(compiler.Sequence());
        next.Add(compiler.Sequence(call, answer));
        return answer;
    }

    private static GrammarNode AnyObject(JsonSchemaCompiler compiler)
    {
        var value = compiler.AnyValue();
        var text = compiler.Register(new StringNode());
        var tail = compiler.Choice(compiler.Literal("}"));
        tail.Add(compiler.Sequence(compiler.Literal(","), text, compiler.Literal(":"), value, tail));
        return compiler.Sequence(compiler.Literal("{"), compiler.Choice(compiler.Literal("}"), compiler.Sequence(text, compiler.Literal(":"), value, tail)));
    }
}
