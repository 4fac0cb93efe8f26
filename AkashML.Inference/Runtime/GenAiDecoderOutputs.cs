using System.Text.Json.Serialization;

namespace AkashML.Inference.Runtime;

/// <summary>Graph output names; "%d" in a KV name is the layer index.</summary>
public sealed class GenAiDecoderOutputs
{
    [JsonPropertyName("logits")]
    public string Logits { get; init; } = "logits";

    [JsonPropertyName("present_key_names")]
    public string PresentKeyNames { get; init; } = "present.%d.key";

    [JsonPropertyName("present_value_names")]
    public string PresentValueNames { get; init; } = "present.%d.value";

    [JsonPropertyName("present_names")]
    public string? PresentNames { get; init; }
}
