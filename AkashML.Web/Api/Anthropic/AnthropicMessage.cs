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

/// <summary>Anthropic's <c>usage</c>; there is no prompt cache, so its counters are zero.</summary>
public sealed record AnthropicUsage(int InputTokens, int OutputTokens)
{
    public int CacheCreationInputTokens => 0;

    public int CacheReadInputTokens => 0;
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
