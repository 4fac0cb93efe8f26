using System.Text.Json.Nodes;

namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// A parsed Hugging Face chat template (the Jinja subset real templates use), rendered the way transformers'
/// <c>apply_chat_template</c> renders it: <c>trim_blocks</c> and <c>lstrip_blocks</c> on, loop controls, Python value
/// semantics, transformers' <c>tojson</c>, <c>raise_exception</c> and <c>strftime_now</c>.
/// </summary>
/// <remarks>
/// Parse once and keep the instance: it is immutable and <see cref="Render(ChatTemplateContext)"/> is thread-safe.
/// Parse errors throw <see cref="TemplateSyntaxException"/> (with line and column); render errors throw
/// <see cref="TemplateRuntimeException"/>, or <see cref="TemplateRaisedException"/> when the template rejects the
/// conversation itself. Undefined values behave like Jinja's default <c>Undefined</c>, except that an attribute or
/// item of an undefined value is undefined rather than an error.
/// </remarks>
public sealed class ChatTemplate : IChatPromptRenderer
{
    private readonly IReadOnlyList<Statement> _body;
    private readonly SourceMap _map;

    private ChatTemplate(string source, IReadOnlyList<Statement> body, SourceMap map)
    {
        Source = source;
        _body = body;
        _map = map;
    }

    /// <summary>The template text as given.</summary>
    public string Source { get; }

    /// <summary>Parses a template. Throws <see cref="TemplateSyntaxException"/> when it is not valid.</summary>
    public static ChatTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);

        // Jinja normalizes newlines and, without keep_trailing_newline, drops one trailing newline.
        var normalized = source.Contains('\r', StringComparison.Ordinal)
            ? source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n')
            : source;
        if (normalized.EndsWith('\n'))
        {
            normalized = normalized[..^1];
        }

        var map = new SourceMap(normalized);
        var tokens = TemplateLexer.Tokenize(normalized, map);
        return new ChatTemplate(source, TemplateParser.Parse(tokens, map), map);
    }

    /// <summary>Renders the conversation with <c>messages</c>, <c>tools</c>, <c>add_generation_prompt</c>, <c>bos_token</c>, <c>eos_token</c> and the extra variables.</summary>
    public string Render(ChatTemplateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (context.Variables is not null)
        {
            foreach (var (key, value) in context.Variables)
            {
                variables[key] = value;
            }
        }

        variables["messages"] = context.Messages;
        if (context.Tools is not null)
        {
            variables["tools"] = context.Tools;
        }

        variables["add_generation_prompt"] = context.AddGenerationPrompt;
        if (context.BosToken is not null)
        {
            variables["bos_token"] = context.BosToken;
        }

        if (context.EosToken is not null)
        {
            variables["eos_token"] = context.EosToken;
        }

        return Render(variables, context.TimeProvider);
    }

    /// <summary>Renders with an arbitrary set of top-level variables (JSON-like values, as for <see cref="ChatTemplateContext"/>).</summary>
    public string Render(IReadOnlyDictionary<string, object?> variables, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var root = new Scope(null);
        foreach (var (key, value) in variables)
        {
            root.Set(key, TemplateValues.FromClr(value));
        }

        return new Interpreter(_map, timeProvider ?? TimeProvider.System).Render(_body, root);
    }

    /// <summary>
    /// The chat template named in a <c>tokenizer_config.json</c>: its <c>chat_template</c> string, or from a list of
    /// <c>{"name", "template"}</c> entries the one named <paramref name="name"/> (default: "default", else the first).
    /// Null when the config has none.
    /// </summary>
    public static string? FindInTokenizerConfig(JsonNode tokenizerConfig, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizerConfig);
        var node = tokenizerConfig["chat_template"];
        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            return text;
        }

        if (node is JsonArray entries)
        {
            var named = entries.OfType<JsonObject>()
                .Select(e => (Name: e["name"]?.GetValue<string>(), Template: e["template"]?.GetValue<string>()))
                .Where(e => e.Template is not null)
                .ToList();
            var wanted = name ?? "default";
            return named.FirstOrDefault(e => e.Name == wanted).Template ?? (name is null ? named.FirstOrDefault().Template : null);
        }

        return null;
    }
}
