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

    public static long Created() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
