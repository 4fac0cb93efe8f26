using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Web.Gateway;

namespace AkashML.Web.Api.Anthropic;

/// <summary>Turns an Anthropic Messages request into the Hugging Face message shape chat templates expect.</summary>
public static class AnthropicMessages
{
    /// <summary>
    /// All system text (the <c>system</c> field and any <c>role: "system"</c> messages, which Claude Code sends) becomes one
    /// leading system message, since many templates accept a system message only first.
    /// </summary>
    public static JsonArray ToTemplateMessages(JsonNode? system, JsonNode? messages)
    {
        if (messages is not JsonArray { Count: > 0 } list)
        {
            throw ApiException.InvalidParameter("messages", "'messages' must be a non-empty array.");
        }

        var systemText = new StringBuilder();
        AppendSystem(systemText, system, "system");
        var result = new JsonArray();
        for (var i = 0; i < list.Count; i++)
        {
            var param = $"messages.{i}";
            if (list[i] is not JsonObject message)
            {
                throw ApiException.InvalidParameter(param, $"'{param}' must be an object with 'role' and 'content'.");
            }

            var role = message["role"] is JsonValue r && r.GetValueKind() == JsonValueKind.String ? r.GetValue<string>() : null;
            switch (role)
            {
                case "system":
                    AppendSystem(systemText, message["content"], $"{param}.content");
                    break;
                case "user" or "assistant":
                    AddTurn(result, role, message["content"], $"{param}.content");
                    break;
                default:
                    throw ApiException.InvalidParameter($"{param}.role", $"'{param}.role' must be 'user' or 'assistant', got {(role is null ? "nothing" : $"'{role}'")}.");
            }
        }

        if (systemText.Length > 0)
        {
            result.Insert(0, new JsonObject { ["role"] = "system", ["content"] = systemText.ToString() });
        }

        return result;
    }

    /// <summary>Anthropic tool definitions as the OpenAI/Hugging Face function shape templates print.</summary>
    public static JsonArray? ToTemplateTools(JsonNode? tools)
    {
        if (tools is not JsonArray { Count: > 0 } list)
        {
            return null;
        }

        var result = new JsonArray();
        foreach (var tool in list.OfType<JsonObject>())
        {
            if (tool["name"] is not JsonValue name)
            {
                continue;
            }

            var function = new JsonObject
            {
                ["name"] = name.DeepClone(),
                ["description"] = tool["description"]?.DeepClone() ?? "",
                ["parameters"] = tool["input_schema"]?.DeepClone() ?? new JsonObject { ["type"] = "object" },
            };
            if (tool["strict"] is { } strict)
            {
                // Strict tools get arguments constrained to their input_schema (the grammar reads function.strict).
                function["strict"] = strict.DeepClone();
            }

            result.Add(new JsonObject { ["type"] = "function", ["function"] = function });
        }

        return result;
    }

    private static void AppendSystem(StringBuilder text, JsonNode? content, string param)
    {
        var part = BlocksText(content, param);
        if (part.Length == 0)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append("\n\n");
        }

        text.Append(part);
    }

    private static void AddTurn(JsonArray result, string role, JsonNode? content, string param)
    {
        if (content is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            result.Add(new JsonObject { ["role"] = role, ["content"] = v.GetValue<string>() });
            return;
        }

        if (content is not JsonArray blocks)
        {
            throw ApiException.InvalidParameter(param, $"'{param}' must be a string or an array of content blocks.");
        }

        var text = new StringBuilder();
        var toolCalls = new JsonArray();
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i] as JsonObject ?? throw ApiException.InvalidParameter($"{param}.{i}", $"'{param}.{i}' must be a content block object.");
            var type = block["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
            switch (type)
            {
                case "text":
                    text.Append(block["text"] is JsonValue s && s.GetValueKind() == JsonValueKind.String
                        ? s.GetValue<string>()
                        : throw ApiException.InvalidParameter($"{param}.{i}.text", $"'{param}.{i}.text' must be a string."));
                    break;
                case "tool_use":
                    toolCalls.Add(new JsonObject
                    {
                        ["id"] = block["id"]?.DeepClone(),
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = block["name"]?.DeepClone(), ["arguments"] = block["input"]?.DeepClone() ?? new JsonObject() },
                    });
                    break;
                case "tool_result":
                    FlushText(result, role, text);
                    result.Add(new JsonObject
                    {
                        ["role"] = "tool",
                        ["tool_call_id"] = block["tool_use_id"]?.DeepClone(),
                        ["content"] = BlocksText(block["content"], $"{param}.{i}.content"),
                    });
                    break;
                case "thinking" or "redacted_thinking" or "image" or "document":
                    // Accepted for compatibility; a text-only open model cannot use them.
                    break;
                default:
                    throw ApiException.InvalidParameter($"{param}.{i}.type", $"Unsupported content block type '{type}'.");
            }
        }

        if (toolCalls.Count > 0)
        {
            result.Add(new JsonObject { ["role"] = role, ["content"] = text.ToString(), ["tool_calls"] = toolCalls });
        }
        else
        {
            FlushText(result, role, text);
        }
    }

    private static void FlushText(JsonArray result, string role, StringBuilder text)
    {
        if (text.Length > 0)
        {
            result.Add(new JsonObject { ["role"] = role, ["content"] = text.ToString() });
            text.Clear();
        }
    }

    private static string BlocksText(JsonNode? content, string param)
    {
        switch (content)
        {
            case null:
                return "";
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return v.GetValue<string>();
            case JsonArray blocks:
                var text = new StringBuilder();
                foreach (var block in blocks)
                {
                    if (block is JsonObject b && b["type"]?.GetValue<string>() == "text" && b["text"] is JsonValue s && s.GetValueKind() == JsonValueKind.String)
                    {
                        if (text.Length > 0)
                        {
                            text.Append('\n');
                        }

                        text.Append(s.GetValue<string>());
                    }
                }

                return text.ToString();
            default:
                throw ApiException.InvalidParameter(param, $"'{param}' must be a string or an array of text blocks.");
        }
    }
}
