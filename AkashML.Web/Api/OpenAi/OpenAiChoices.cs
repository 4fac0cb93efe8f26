using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AkashML.Web.Api.OpenAi;

/// <summary>A choice of a <c>chat.completion</c>.</summary>
public sealed record ChatChoice(int Index, ChatAnswer Message, JsonObject? Logprobs, string FinishReason);

/// <summary>The assistant's message; <see cref="ToolCalls"/> only when the model called tools (then content may be null).</summary>
public sealed record ChatAnswer(
    string? Content,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ToolCallAnswer>? ToolCalls = null)
{
    [JsonPropertyOrder(-1)]
    public string Role => "assistant";

    public string? Refusal => null;
}

public sealed record ToolCallAnswer(string Id, ToolCallFunction Function)
{
    [JsonPropertyOrder(-1)]
    public string Type => "function";
}

/// <summary>A called function; <see cref="Arguments"/> is JSON text, as OpenAI sends it.</summary>
public sealed record ToolCallFunction(string Name, string Arguments);

/// <summary>A choice of a <c>chat.completion.chunk</c>: the new part of the message.</summary>
public sealed record ChatChunkChoice(int Index, ChatDelta Delta, JsonObject? Logprobs, string? FinishReason);

/// <summary>What a chunk adds: the role on the first chunk, text or a whole tool call after; the finishing chunk's delta is empty.</summary>
public sealed record ChatDelta(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ToolCallDelta>? ToolCalls = null);

/// <summary>A streamed tool call, sent whole once its block has closed (so its arguments are complete JSON).</summary>
public sealed record ToolCallDelta(int Index, string Id, ToolCallFunction Function)
{
    [JsonPropertyOrder(-1)]
    public string Type => "function";
}

/// <summary>A choice of a <c>text_completion</c> answer or chunk.</summary>
public sealed record TextChoice(int Index, string Text, JsonObject? Logprobs, string? FinishReason);
