using System.Text.Json.Serialization;

namespace AkashML.Inference.Runtime;

/// <summary>genai_config.json "model": type, vocabulary, context and special token ids.</summary>
public sealed class GenAiModelConfig
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = string.Empty;

    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; }

    [JsonPropertyName("context_length")]
    public int ContextLength { get; init; }

    [JsonPropertyName("bos_token_id")]
    public int? BosTokenId { get; init; }

    /// <summary>One id or several; any of them ends a row. Empty means "use pad_token_id".</summary>
    [JsonPropertyName("eos_token_id")]
    [JsonConverter(typeof(TokenIdListConverter))]
    public int[] EosTokenId { get; init; } = [];

    [JsonPropertyName("pad_token_id")]
    public int? PadTokenId { get; init; }

    [JsonPropertyName("decoder")]
    public GenAiDecoderConfig? Decoder { get; init; }

    /// <summary>EOS ids as GenAI resolves them: the configured list, else the pad id.</summary>
    public IReadOnlyList<int> ResolvedEosTokenIds => EosTokenId.Length > 0 ? EosTokenId : [PadTokenId ?? 0];

    /// <summary>The pad id as GenAI resolves it: pad_token_id, else the first EOS id.</summary>
    public int ResolvedPadTokenId => PadTokenId ?? (EosTokenId.Length > 0 ? EosTokenId[0] : 0);
}
