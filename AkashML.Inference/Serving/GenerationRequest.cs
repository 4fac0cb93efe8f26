using AkashML.Inference.Generation.Structured;

namespace AkashML.Inference.Serving;

/// <summary>One generation job in token space, as the APIs hand it to a model.</summary>
public sealed record GenerationRequest
{
    public required IReadOnlyList<int> PromptTokens { get; init; }

    /// <summary>New tokens allowed per choice (after clamping to the context).</summary>
    public required int MaxNewTokens { get; init; }

    /// <summary>0 = greedy.</summary>
    public double Temperature { get; init; } = 1.0;

    public double TopP { get; init; } = 1.0;

    /// <summary>0 = off.</summary>
    public int TopK { get; init; }

    public double MinP { get; init; }

    public double FrequencyPenalty { get; init; }

    public double PresencePenalty { get; init; }

    public double RepetitionPenalty { get; init; } = 1.0;

    public IReadOnlyDictionary<int, double>? LogitBias { get; init; }

    public long? Seed { get; init; }

    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>How many choices to return.</summary>
    public int N { get; init; } = 1;

    /// <summary>Candidates generated server-side; the best <see cref="N"/> by mean log-probability are returned.</summary>
    public int BestOf { get; init; } = 1;

    /// <summary>Top alternatives per generated token (0 = chosen token only; null = no log-probabilities).</summary>
    public int? TopLogprobs { get; init; }

    /// <summary>Constrain the output to one JSON object.</summary>
    public bool JsonObject { get; init; }

    /// <summary>
    /// Constrain the output to this grammar (a <c>json_schema</c> response format or strict tools) within
    /// <see cref="MaxNewTokens"/>; its <see cref="StructuredGrammar.MinLength"/> must fit that budget.
    /// </summary>
    public StructuredGrammar? Grammar { get; init; }
}
