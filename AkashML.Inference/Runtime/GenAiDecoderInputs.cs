using System.Text.Json.Serialization;

namespace AkashML.Inference.Runtime;

/// <summary>Graph input names; "%d" in a KV name is the layer index.</summary>
public sealed class GenAiDecoderInputs
{
    [JsonPropertyName("input_ids")]
    public string InputIds { get; init; } = "input_ids";

    [JsonPropertyName("attention_mask")]
    public string AttentionMask { get; init; } = "attention_mask";

    [JsonPropertyName("position_ids")]
    public string PositionIds { get; init; } = "position_ids";

    [JsonPropertyName("past_key_names")]
    public string PastKeyNames { get; init; } = "past_key_values.%d.key";

    [JsonPropertyName("past_value_names")]
    public string PastValueNames { get; init; } = "past_key_values.%d.value";

    /// <summary>Combined key+value per layer ([2, B, H, S, D]), as gpt2 graphs have; null when keys and values are separate.</summary>
    [JsonPropertyName("past_names")]
    public string? PastNames { get; init; }
}
