using System.Text.Json.Nodes;

namespace AkashML.Web.Api.OpenAi;

/// <summary>The body of <c>POST /v1/chat/completions</c>: the fields the route reads; others are ignored.</summary>
public sealed record ChatCompletionBody : SamplingBody
{
    /// <summary>The conversation; its messages' shapes vary (text or parts), so <see cref="ChatMessages"/> reads it.</summary>
    public JsonNode? Messages { get; init; }

    public JsonNode? Tools { get; init; }

    /// <summary><c>auto</c>, <c>none</c>, <c>required</c> or <c>{"type":"function","function":{"name":…}}</c>.</summary>
    public JsonNode? ToolChoice { get; init; }

    public JsonNode? ResponseFormat { get; init; }

    public bool? Logprobs { get; init; }

    public int? TopLogprobs { get; init; }

    public int? MaxTokens { get; init; }

    /// <summary>OpenAI's newer name for <see cref="MaxTokens"/>; wins when both are sent.</summary>
    public int? MaxCompletionTokens { get; init; }
}
