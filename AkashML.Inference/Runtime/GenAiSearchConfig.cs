using System.Text.Json.Serialization;

namespace AkashML.Inference.Runtime;

/// <summary>genai_config.json "search": generation defaults, with GenAI's runtime defaults when absent.</summary>
public sealed class GenAiSearchConfig
{
    [JsonPropertyName("do_sample")]
    public bool DoSample { get; init; }

    /// <summary>0 means the model's context_length.</summary>
    [JsonPropertyName("max_length")]
    public int MaxLength { get; init; }

    [JsonPropertyName("min_length")]
    public int MinLength { get; init; }

    [JsonPropertyName("num_beams")]
    public int NumBeams { get; init; } = 1;

    [JsonPropertyName("num_return_sequences")]
    public int NumReturnSequences { get; init; } = 1;

    [JsonPropertyName("top_k")]
    public int TopK { get; init; } = 50;

    [JsonPropertyName("top_p")]
    public float TopP { get; init; }

    [JsonPropertyName("temperature")]
    public float Temperature { get; init; } = 1f;

    [JsonPropertyName("repetition_penalty")]
    public float RepetitionPenalty { get; init; } = 1f;

    [JsonPropertyName("length_penalty")]
    public float LengthPenalty { get; init; } = 1f;

    [JsonPropertyName("early_stopping")]
    public bool EarlyStopping { get; init; } = true;

    [JsonPropertyName("no_repeat_ngram_size")]
    public int NoRepeatNgramSize { get; init; }

    /// <summary>Parsed for compatibility; GenAI ignores it too.</summary>
    [JsonPropertyName("diversity_penalty")]
    public float DiversityPenalty { get; init; }

    [JsonPropertyName("past_present_share_buffer")]
    public bool PastPresentShareBuffer { get; init; }

    /// <summary>-1 means a random seed.</summary>
    [JsonPropertyName("random_seed")]
    public long RandomSeed { get; init; } = -1;

    [JsonPropertyName("batch_size")]
    public int BatchSize { get; init; } = 1;

    [JsonPropertyName("chunk_size")]
    public int ChunkSize { get; init; }
}
