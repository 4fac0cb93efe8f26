using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Web.Gateway;

namespace AkashML.Web.Api.OpenAi;

/// <summary>Turns OpenAI chat messages into the Hugging Face shape chat templates expect.</summary>
public static class ChatMessages
{
    private static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool"];

    public static JsonArray ToTemplateMessages(JsonNode? node)
    {
        if (node is not JsonArray { Count: > 0 } messages)
        {
            throw ApiException.InvalidParameter("messages", "'messages' must be a non-empty array of message objects.");
        }

        var result = new JsonArray();
        for (var i = 0; i < messages.Count; i++)
        {
            var param = $"messages[{i}]";
            if (messages[i] is not JsonObject message)
            {
                throw ApiException.InvalidParameter(param, $"'{param}' must be an object with 'role' and 'content'.");
            }

            var role = message["role"] is JsonValue r && r.GetValueKind() == JsonValueKind.String ? r.GetValue<string>() : null;
            if (role is null || !Roles.Contains(role))
            {
                throw ApiException.InvalidParameter($"{param}.role",
                    $"'{param}.role' must be one of system, developer, user, assistant, tool; got {(role is null ? "nothing" : $"'{role}'")}.");
            }

            var converted = new JsonObject
            {
                // Templates know "system"; OpenAI's newer "developer" role means the same to an open model.
                ["role"] = role == "developer" ? "system" : role,
                ["content"] = ContentText(message["content"], $"{param}.content", allowNull: role == "assistant"),
            };
            if (role == "assistant" && message["tool_calls"] is JsonArray toolCalls)
            {
                converted["tool_calls"] = ToolCalls(toolCalls, $"{param}.tool_calls");
            }

            if (role == "tool")
            {
                converted["tool_call_id"] = message["tool_call_id"]?.DeepClone();
            }

            if (message["name"] is JsonValue name)
            {
                converted["name"] = name.DeepClone();
            }

            result.Add(converted);
        }

        return result;
    }

    /// <summary>A string, or the text parts of a content-part array joined; other part types are refused.</summary>
    public static string? ContentText(JsonNode? content, string param, bool allowNull)
    {
        switch (content)
        {
            case null when allowNull:
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return v.GetValue<string>();
            case JsonArray parts:
                var text = new StringBuilder();
                for (var i = 0; i < parts.Count; i++)
                {
                    if (parts[i] is not JsonObject part || part["type"]?.GetValue<string>() is not "text" and not "input_text"
                        || part["text"] is not JsonValue t || t.GetValueKind() != JsonValueKind.String)
                    {
                        throw ApiException.InvalidParameter($"{param}[{i}]", $"'{param}[{i}]' must be a text part ({{\"type\":\"text\",\"text\":\"...\"}}); this model accepts text only.");
                    }

                    text.Append(t.GetValue<string>());
                }

                return text.ToString();
            default:
                throw ApiException.InvalidParameter(param, $"'{param}' must be a string or an array of text parts.");
        }
    }

    private static JsonArray ToolCalls(JsonArray calls, string param)
    {
        var result = new JsonArray();
        foreach (var call in calls)
        {
            if (call is not JsonObject { } c || c["function"] is not JsonObject function || function["name"] is not JsonValue)
            {
                throw ApiException.InvalidParameter(param, $"'{param}' entries must be {{\"type\":\"function\",\"function\":{{\"name\",\"arguments\"}}}}.");
            }

            // Templates print arguments as JSON: hand them an object, not the string OpenAI sends.
            JsonNode? arguments = function["arguments"] is JsonValue a && a.GetValueKind() == JsonValueKind.String
                ? TryParse(a.GetValue<string>())
                : function["arguments"]?.DeepClone();
            result.Add(new JsonObject
            {
                ["id"] = c["id"]?.DeepClone(),
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = function["name"]!.DeepClone(), ["arguments"] = arguments },
            });
        }

        return result;
    }

    private static JsonNode? TryParse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }
}
