using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkashML.Web.Usage;

/// <summary>
/// The sampling parameters of a request body, without its content: every top-level scalar (temperature, max_tokens,
/// stream, seed, …) and the stop lists, but never messages, prompts, system text, tools or the end-user id.
/// </summary>
public static class RequestParameters
{
    public const int MaxLength = 2000;

    private static readonly HashSet<string> Content = new(StringComparer.Ordinal)
    {
        "model", "messages", "prompt", "suffix", "system", "user", "tools", "tool_choice", "functions", "metadata", "input", "logit_bias", "response_format",
    };

    private static readonly HashSet<string> Lists = new(StringComparer.Ordinal) { "stop", "stop_sequences" };

    /// <summary>Compact JSON, or null when there is nothing to show.</summary>
    public static string? Describe(JsonObject? body)
    {
        if (body is null)
        {
            return null;
        }

        var kept = new JsonObject();
        foreach (var (name, value) in body)
        {
            if (Content.Contains(name) || value is null)
            {
                continue;
            }

            if (value is JsonValue scalar && scalar.GetValueKind() != JsonValueKind.String)
            {
                kept[name] = scalar.DeepClone();
            }
            else if (Lists.Contains(name) || (value is JsonValue && name is "reasoning_effort" or "service_tier"))
            {
                kept[name] = value.DeepClone();
            }
            else if (value is JsonObject nested && name is "stream_options" or "thinking")
            {
                kept[name] = nested.DeepClone();
            }
        }

        if (kept.Count == 0)
        {
            return null;
        }

        var json = kept.ToJsonString();
        return json.Length <= MaxLength ? json : json[..MaxLength];
    }
}
