using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AkashML.Web.Api;

/// <summary>
/// Finds tool calls in generated text in the format tool-capable templates teach the model (Hermes/Qwen style):
/// <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c>.
/// </summary>
public static partial class ToolCallParser
{
    public sealed record ParsedToolCall(string Id, string Name, JsonObject Arguments);

    public static (string Text, IReadOnlyList<ParsedToolCall> Calls) Parse(string output)
    {
        var calls = new List<ParsedToolCall>();
        var text = ToolCallBlock().Replace(output, match =>
        {
            try
            {
                if (JsonNode.Parse(match.Groups[1].Value) is JsonObject obj && obj["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String)
                {
                    var arguments = obj["arguments"] as JsonObject ?? new JsonObject();
                    calls.Add(new ParsedToolCall("call_" + Guid.NewGuid().ToString("N")[..24], name.GetValue<string>(), (JsonObject)arguments.DeepClone()));
                    return "";
                }
            }
            catch (JsonException)
            {
                // Not a well-formed call: leave the text as the model wrote it.
            }

            return match.Value;
        });
        return (text.Trim(), calls);
    }

    [GeneratedRegex(@"<tool_call>\s*(\{.*?\})\s*</tool_call>", RegexOptions.Singleline)]
    private static partial Regex ToolCallBlock();
}
