using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkashML.Web.Api;

/// <summary>
/// Finds tool calls in generated text in the format tool-capable templates teach the model (Hermes/Qwen style):
/// <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c>.
/// </summary>
public static class ToolCallParser
{
    public const string OpenTag = "<tool_call>";
    public const string CloseTag = "</tool_call>";

    public sealed record ParsedToolCall(string Id, string Name, JsonObject Arguments);

    public static (string Text, IReadOnlyList<ParsedToolCall> Calls) Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var calls = new List<ParsedToolCall>();
        var text = new StringBuilder();
        var at = 0;
        while (output.IndexOf(OpenTag, at, StringComparison.Ordinal) is var open and >= 0
            && CloseTagIndex(output, open) is var close and >= 0)
        {
            text.Append(output, at, open - at);
            var block = output[open..(close + CloseTag.Length)];
            if (TryReadCall(block) is { } call)
            {
                calls.Add(call);
            }
            else
            {
                text.Append(block);
            }

            at = close + CloseTag.Length;
        }

        text.Append(output, at, output.Length - at);
        return (text.ToString().Trim(), calls);
    }

    /// <summary>
    /// Where the block opened at <paramref name="open"/> closes: the first closing tag outside the JSON strings of the
    /// call, so an argument that contains the tag does not end it; -1 while it has not closed.
    /// </summary>
    public static int CloseTagIndex(string text, int open)
    {
        ArgumentNullException.ThrowIfNull(text);
        var inString = false;
        for (var i = open + OpenTag.Length; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == '<' && text.AsSpan(i).StartsWith(CloseTag, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The call a whole <c>&lt;tool_call&gt;…&lt;/tool_call&gt;</c> block holds; null when it is not a well-formed one.</summary>
    private static ParsedToolCall? TryReadCall(string block)
    {
        try
        {
            if (JsonNode.Parse(block[OpenTag.Length..^CloseTag.Length]) is JsonObject obj && obj["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String)
            {
                var arguments = obj["arguments"] as JsonObject ?? new JsonObject();
                return new ParsedToolCall("call_" + Guid.NewGuid().ToString("N")[..24], name.GetValue<string>(), (JsonObject)arguments.DeepClone());
            }
        }
        catch (JsonException)
        {
            // Not a well-formed call: the text stays as the model wrote it.
        }

        return null;
    }
}
