using System.Text.Json.Nodes;

namespace AkashML.Web.Api.Anthropic;

/// <summary>The body of <c>POST /anthropic/v1/messages</c> (and <c>count_tokens</c>): the fields the routes read.</summary>
public sealed record MessagesBody
{
    public string? Model { get; init; }

    public int? MaxTokens { get; init; }

    /// <summary>A string or an array of text blocks.</summary>
    public JsonNode? System { get; init; }

    public JsonNode? Messages { get; init; }

    public JsonNode? Tools { get; init; }

    public bool? Stream { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public JsonNode? StopSequences { get; init; }

    /// <summary><c>{"type":"auto"|"any"|"none"}</c> or <c>{"type":"tool","name":…}</c>.</summary>
    public JsonNode? ToolChoice { get; init; }

    /// <summary>Structured outputs (GA): <c>{"format":{"type":"json_schema","schema":{…}}}</c>.</summary>
    public JsonNode? OutputConfig { get; init; }

    /// <summary>Structured outputs (the beta's name): <c>{"type":"json_schema","schema":{…}}</c>.</summary>
    public JsonNode? OutputFormat { get; init; }
}
