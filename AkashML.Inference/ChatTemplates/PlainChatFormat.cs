using System.Text;

namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// The prompt format for models that ship no chat template. Each message becomes a block
/// <c>&lt;|role|&gt;\n{content}\n</c>, in order; with <see cref="ChatTemplateContext.AddGenerationPrompt"/> the prompt
/// ends with an open <c>&lt;|assistant|&gt;\n</c> block. For example:
/// <code>
/// &lt;|system|&gt;
/// You are terse.
/// &lt;|user|&gt;
/// Hi
/// &lt;|assistant|&gt;
/// </code>
/// Details: the role is written as given (lower case expected). Content that is a list of parts contributes its text
/// parts (<c>{"type": "text", "text": ...}</c>) joined with "\n"; other parts (images, audio) are left out. When tools
/// are given, a leading <c>&lt;|tools|&gt;\n</c> block lists each tool as compact JSON, one per line. An assistant
/// message's <c>tool_calls</c> follow its content as lines <c>&lt;|tool_call|&gt;{"name": ..., "arguments": ...}</c>.
/// Tool results are ordinary <c>&lt;|tool|&gt;</c> blocks. No BOS or EOS text is added: encode the prompt with the
/// tokenizer's special tokens on, so its post-processor adds what the model expects.
/// </summary>
public sealed class PlainChatFormat : IChatPromptRenderer
{
    /// <summary>The shared instance (the format has no settings).</summary>
    public static PlainChatFormat Instance { get; } = new();

    private static readonly TemplateJson.Options CompactJson = new(null, false, ", ", ": ", false);

    public string Render(ChatTemplateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var builder = new StringBuilder();
        try
        {
            if (context.Tools is { Count: > 0 } tools)
            {
                builder.Append("<|tools|>\n");
                foreach (var tool in tools)
                {
                    builder.Append(TemplateJson.Serialize(TemplateValues.FromClr(tool), CompactJson)).Append('\n');
                }
            }

            foreach (var message in context.Messages)
            {
                var role = message.TryGetValue("role", out var r) ? TemplateValues.FromClr(r) as string : null;
                if (string.IsNullOrEmpty(role))
                {
                    throw new TemplateRuntimeException("Every message needs a string 'role'.");
                }

                builder.Append("<|").Append(role).Append("|>\n");
                builder.Append(ContentText(message.TryGetValue("content", out var content) ? TemplateValues.FromClr(content) : null));
                builder.Append('\n');
                if (message.TryGetValue("tool_calls", out var calls) && TemplateValues.FromClr(calls) is List<object?> toolCalls)
                {
                    foreach (var call in toolCalls)
                    {
                        builder.Append("<|tool_call|>").Append(ToolCallJson(call)).Append('\n');
                    }
                }
            }
        }
        catch (TemplateValueError error)
        {
            throw new TemplateRuntimeException(error.Message);
        }

        if (context.AddGenerationPrompt)
        {
            builder.Append("<|assistant|>\n");
        }

        return builder.ToString();
    }

    private static string ContentText(object? content) => content switch
    {
        null or Undefined => string.Empty,
        string text => text,
        List<object?> parts => string.Join(
            "\n",
            parts.OfType<TemplateDict>()
                .Where(p => p.TryGetValue("type", out var type) && type is "text")
                .Select(p => p.TryGetValue("text", out var text) ? PythonFormat.Str(text) : string.Empty)),
        _ => PythonFormat.Str(content),
    };

    private static string ToolCallJson(object? call)
    {
        // OpenAI shape {"type": "function", "function": {"name", "arguments"}} or a bare {"name", "arguments"}.
        var function = call is TemplateDict dict && dict.TryGetValue("function", out var inner) && inner is TemplateDict f ? f : call as TemplateDict;
        var result = new TemplateDict();
        result["name"] = function is not null && function.TryGetValue("name", out var name) ? name : null;
        result["arguments"] = function is not null && function.TryGetValue("arguments", out var arguments) ? arguments : new TemplateDict();
        return TemplateJson.Serialize(result, CompactJson);
    }
}
