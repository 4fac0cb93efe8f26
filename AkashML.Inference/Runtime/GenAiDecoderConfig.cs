using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkashML.Inference.Runtime;

/// <summary>genai_config.json "model.decoder": the ONNX file, its I/O names, KV geometry and session/run options.</summary>
public sealed class GenAiDecoderConfig
{
    [JsonPropertyName("filename")]
    public string Filename { get; init; } = string.Empty;

    [JsonPropertyName("head_size")]
    public int HeadSize { get; init; }

    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; }

    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; }

    [JsonPropertyName("num_key_value_heads")]
    public int NumKeyValueHeads { get; init; }

    [JsonPropertyName("num_hidden_layers")]
    public int NumHiddenLayers { get; init; }

    [JsonPropertyName("inputs")]
    public GenAiDecoderInputs Inputs { get; init; } = new();

    [JsonPropertyName("outputs")]
    public GenAiDecoderOutputs Outputs { get; init; } = new();

    /// <summary>Raw session_options: known keys set session options, provider_options lists providers, others become config entries.</summary>
    [JsonPropertyName("session_options")]
    public Dictionary<string, JsonElement> SessionOptions { get; init; } = [];

    /// <summary>Raw run_options: every key becomes a run config entry.</summary>
    [JsonPropertyName("run_options")]
    public Dictionary<string, JsonElement> RunOptions { get; init; } = [];
}
