using System.Text.Json.Nodes;

namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// What a chat template is rendered with: the variables transformers passes to <c>apply_chat_template</c>.
/// Message and tool values are JSON-like: strings, booleans, numbers, null, lists, string-keyed dictionaries,
/// <see cref="JsonNode"/> or <see cref="System.Text.Json.JsonElement"/>, nested freely. A message usually has
/// <c>role</c> and <c>content</c> (a string or a list of parts such as <c>{"type": "text", "text": "..."}</c>) and may
/// have <c>tool_calls</c>, <c>tool_call_id</c>, <c>name</c>, <c>reasoning_content</c> and so on.
/// </summary>
public sealed record ChatTemplateContext
{
    /// <summary>The conversation (<c>messages</c>).</summary>
    public required IReadOnlyList<IReadOnlyDictionary<string, object?>> Messages { get; init; }

    /// <summary>Tool definitions in OpenAI's function format (<c>tools</c>); null leaves <c>tools</c> undefined.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>>? Tools { get; init; }

    /// <summary>Whether to open an assistant turn at the end (<c>add_generation_prompt</c>).</summary>
    public bool AddGenerationPrompt { get; init; }

    /// <summary>The tokenizer's BOS string (<c>bos_token</c>); null leaves it undefined.</summary>
    public string? BosToken { get; init; }

    /// <summary>The tokenizer's EOS string (<c>eos_token</c>); null leaves it undefined.</summary>
    public string? EosToken { get; init; }

    /// <summary>
    /// Further template variables, e.g. <c>enable_thinking</c>, <c>reasoning_effort</c>, <c>documents</c>,
    /// <c>date_string</c>. The named properties above win over entries of the same name.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? Variables { get; init; }

    /// <summary>Clock for <c>strftime_now</c> (local time of the provider); defaults to the system clock.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Wraps a JSON array of message (or tool) objects for <see cref="Messages"/> or <see cref="Tools"/>.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromJson(JsonArray items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = new List<IReadOnlyDictionary<string, object?>>(items.Count);
        foreach (var item in items)
        {
            if (item is not JsonObject obj)
            {
                throw new ArgumentException("Every message or tool must be a JSON object.", nameof(items));
            }

            result.Add(obj.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal));
        }

        return result;
    }
}
