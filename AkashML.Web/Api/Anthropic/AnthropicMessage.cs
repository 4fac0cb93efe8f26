using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AkashML.Web.Api.Anthropic;

/// <summary>An Anthropic <c>message</c>: the answer, and the start of a stream (empty content, no stop reason yet).</summary>
public sealed record AnthropicMessage(string Id, string Model, JsonArray Content, string? StopReason, string? StopSequence, AnthropicUsage Usage)
{
    [JsonPropertyOrder(-1)]
    public string Type => "message";

    [JsonPropertyOrder(-1)]
    public string Role => "assistant";
}

/// <summary>
/// Anthropic's <c>usage</c>. As Anthropic counts them, <c>input_tokens</c> are the prompt tokens that were not read from
/// the cache and <c>cache_read_input_tokens</c> those that were (the model's prefix cache), so the prompt is their sum.
/// Caching is automatic, so nothing is ever written to the cache on request: <c>cache_creation_input_tokens</c> is 0.
/// </summary>
public sealed record AnthropicUsage(int InputTokens, int OutputTokens, int CacheReadInputTokens = 0)
{
    public int CacheCreationInputTokens => 0;

    /// <summary>The usage of a prompt of <paramref name="promptTokens"/>, <paramref name="cachedTokens"/> of them cached.</summary>
    public static AnthropicUsage Of(int promptTokens, int cachedTokens, int outputTokens) =>
        new(promptTokens - cachedTokens, outputTokens, cachedTokens);
}

/// <summary>The streamed <c>content_block_delta</c> event of a text block: one per piece of generated text.</summary>
public sealed record TextDeltaEvent(int Index, TextDelta Delta)
{
    [JsonPropertyOrder(-1)]
    public string Type => "content_block_delta";
}

public sealed record TextDelta(string Text)
{
    [JsonPropertyOrder(-1)]
    public string Type => "text_delta";
}
