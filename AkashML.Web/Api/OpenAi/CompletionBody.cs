using System.Text.Json.Nodes;

namespace AkashML.Web.Api.OpenAi;

/// <summary>The body of <c>POST /v1/completions</c>: the fields the route reads; others are ignored.</summary>
public sealed record CompletionBody : SamplingBody
{
    /// <summary>A string, an array of strings, an array of token ids, or an array of token-id arrays.</summary>
    public JsonNode? Prompt { get; init; }

    /// <summary>Fill-in-the-middle text; no model here supports it, so it is refused by name.</summary>
    public JsonNode? Suffix { get; init; }

    public bool? Echo { get; init; }

    /// <summary>How many alternatives to return per token (the legacy API's integer, not a boolean).</summary>
    public int? Logprobs { get; init; }

    public int? BestOf { get; init; }

    public int? MaxTokens { get; init; }
}
