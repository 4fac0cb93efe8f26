using AkashML.Inference.Generation.Structured;
using AkashML.Inference.Serving;

namespace AkashML.Web.Nodes;

/// <summary>
/// <c>POST /internal/v1/generate</c>'s body: the model and a <see cref="GenerationRequest"/> in token space. A grammar
/// travels as its source (<see cref="NodeGrammar"/>) and is compiled again on the node.
/// </summary>
/// <remarks>
/// Optional fields have setters, not init accessors: the JSON source generator sets every init-only property, so an
/// absent one would get its type's default instead of the initializer's (top_p 0 instead of 1).
/// </remarks>
public sealed record NodeGenerateBody
{
    public required string Model { get; init; }

    public required IReadOnlyList<int> PromptTokens { get; init; }

    public required int MaxNewTokens { get; init; }

    public double Temperature { get; set; } = 1.0;

    public double TopP { get; set; } = 1.0;

    public int TopK { get; set; }

    public double MinP { get; set; }

    public double FrequencyPenalty { get; set; }

    public double PresencePenalty { get; set; }

    public double RepetitionPenalty { get; set; } = 1.0;

    public Dictionary<int, double>? LogitBias { get; set; }

    public long? Seed { get; set; }

    public IReadOnlyList<string> StopSequences { get; set; } = [];

    public int N { get; set; } = 1;

    public int BestOf { get; set; } = 1;

    public int? TopLogprobs { get; set; }

    public bool JsonObject { get; set; }

    public NodeGrammar? Grammar { get; set; }

    public static NodeGenerateBody From(string model, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new NodeGenerateBody
        {
            Model = model,
            PromptTokens = request.PromptTokens,
            MaxNewTokens = request.MaxNewTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            MinP = request.MinP,
            FrequencyPenalty = request.FrequencyPenalty,
            PresencePenalty = request.PresencePenalty,
            RepetitionPenalty = request.RepetitionPenalty,
            LogitBias = request.LogitBias?.ToDictionary(),
            Seed = request.Seed,
            StopSequences = request.StopSequences,
            N = request.N,
            BestOf = request.BestOf,
            TopLogprobs = request.TopLogprobs,
            JsonObject = request.JsonObject,
            Grammar = request.Grammar is { } grammar ? NodeGrammar.From(grammar.Source) : null,
        };
    }

    /// <param name="grammar">The body's <see cref="Grammar"/>, compiled (the caller answers its compile errors).</param>
    public GenerationRequest ToRequest(StructuredGrammar? grammar) => new()
    {
        PromptTokens = PromptTokens,
        MaxNewTokens = MaxNewTokens,
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        MinP = MinP,
        FrequencyPenalty = FrequencyPenalty,
        PresencePenalty = PresencePenalty,
        RepetitionPenalty = RepetitionPenalty,
        LogitBias = LogitBias,
        Seed = Seed,
        StopSequences = StopSequences,
        N = N,
        BestOf = BestOf,
        TopLogprobs = TopLogprobs,
        JsonObject = JsonObject,
        Grammar = grammar,
    };

    /// <summary>The first field a node cannot accept as sent, as (parameter, reason); null when the body is usable.</summary>
    public (string Parameter, string Reason)? Problem() =>
        string.IsNullOrWhiteSpace(Model) ? ("model", "model is required")
        : PromptTokens is null || PromptTokens.Count == 0 ? ("prompt_tokens", "prompt_tokens must hold at least one token id")
        : PromptTokens.Any(t => t < 0) ? ("prompt_tokens", "prompt_tokens must be non-negative token ids")
        : MaxNewTokens < 1 ? ("max_new_tokens", "max_new_tokens must be at least 1")
        : Temperature < 0 || double.IsNaN(Temperature) ? ("temperature", "temperature must be 0 or more")
        : TopP is <= 0 or > 1 || double.IsNaN(TopP) ? ("top_p", "top_p must be in (0, 1]")
        : TopK < 0 ? ("top_k", "top_k must be 0 or more")
        : MinP is < 0 or > 1 || double.IsNaN(MinP) ? ("min_p", "min_p must be in [0, 1]")
        : RepetitionPenalty <= 0 || double.IsNaN(RepetitionPenalty) ? ("repetition_penalty", "repetition_penalty must be above 0")
        : N < 1 ? ("n", "n must be at least 1")
        : BestOf < 1 ? ("best_of", "best_of must be at least 1")
        : TopLogprobs < 0 ? ("top_logprobs", "top_logprobs must be 0 or more")
        : StopSequences is null || StopSequences.Any(string.IsNullOrEmpty) ? ("stop_sequences", "stop_sequences must be non-empty strings")
        : Grammar?.Problem() is { } grammar ? ("grammar", grammar)
        : null;
}
