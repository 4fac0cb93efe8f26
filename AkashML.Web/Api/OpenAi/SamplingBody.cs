using System.Text.Json.Nodes;

namespace AkashML.Web.Api.OpenAi;

/// <summary>
/// The sampling fields that <c>/v1/completions</c> and <c>/v1/chat/completions</c> share, as sent (snake_case). Types are
/// checked when the body is read (<see cref="ApiJsonContext"/>); ranges by <see cref="OpenAiSampling"/>.
/// </summary>
public abstract record SamplingBody
{
    public string? Model { get; init; }

    public int? N { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public double? MinP { get; init; }

    public double? FrequencyPenalty { get; init; }

    public double? PresencePenalty { get; init; }

    public double? RepetitionPenalty { get; init; }

    public long? Seed { get; init; }

    /// <summary>A string or an array of strings.</summary>
    public JsonNode? Stop { get; init; }

    /// <summary>Token ids (as strings, JSON object keys) to biases from -100 to 100.</summary>
    public Dictionary<string, double>? LogitBias { get; init; }

    public bool? Stream { get; init; }

    public StreamOptionsBody? StreamOptions { get; init; }

    public bool? ReturnTokensAsTokenIds { get; init; }
}
