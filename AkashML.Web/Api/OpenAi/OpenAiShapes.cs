using System.Text.Json.Nodes;
using AkashML.Inference.Serving;

namespace AkashML.Web.Api.OpenAi;

/// <summary>Pieces every OpenAI-shaped response carries.</summary>
public static class OpenAiShapes
{
    /// <summary>Identifies this build's serving stack, as OpenAI's <c>system_fingerprint</c>.</summary>
    public const string SystemFingerprint = "fp_akashml_ort132";

    public static string FinishReason(FinishReason? reason, bool toolCalls = false) => reason switch
    {
        _ when toolCalls => "tool_calls",
        Inference.Serving.FinishReason.Length => "length",
        _ => "stop",
    };

    public static JsonObject Usage(int prompt, int completion) => new()
    {
        ["prompt_tokens"] = prompt,
        ["completion_tokens"] = completion,
        ["total_tokens"] = prompt + completion,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0, ["audio_tokens"] = 0 },
        ["completion_tokens_details"] = new JsonObject
        {
            ["reasoning_tokens"] = 0,
            ["audio_tokens"] = 0,
            ["accepted_prediction_tokens"] = 0,
            ["rejected_prediction_tokens"] = 0,
        },
    };

    public static long Created() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>The fields every response and chunk starts with, plus its choices (and usage when given).</summary>
    public static JsonObject Envelope(string id, string type, long created, string model, JsonArray choices, JsonObject? usage = null)
    {
        var envelope = new JsonObject
        {
            ["id"] = id,
            ["object"] = type,
            ["created"] = created,
            ["model"] = model,
            ["system_fingerprint"] = SystemFingerprint,
            ["choices"] = choices,
        };
        if (usage is not null)
        {
            envelope["usage"] = usage;
        }

        return envelope;
    }
}
