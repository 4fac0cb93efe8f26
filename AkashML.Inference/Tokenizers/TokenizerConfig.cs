using System.Text.Json;

namespace AkashML.Inference.Tokenizers;

/// <summary>
/// The parts of <c>tokenizer_config.json</c> that matter at inference time: special token strings, whether
/// transformers adds BOS/EOS, and the chat template(s). These are applied by callers (e.g. the chat-template
/// renderer), not by <see cref="HuggingFaceTokenizer.Encode"/>, which follows tokenizer.json alone.
/// </summary>
public sealed record TokenizerConfig
{
    /// <summary>A configuration with nothing set (used when no tokenizer_config.json exists).</summary>
    public static TokenizerConfig Empty { get; } = new();

    public string? BosToken { get; init; }

    public string? EosToken { get; init; }

    public string? PadToken { get; init; }

    public string? UnkToken { get; init; }

    /// <summary>transformers' <c>add_bos_token</c>; null when the file does not say.</summary>
    public bool? AddBosToken { get; init; }

    /// <summary>transformers' <c>add_eos_token</c>; null when the file does not say.</summary>
    public bool? AddEosToken { get; init; }

    /// <summary>The default chat template (the one named "default" when the file holds several), or null.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>Every chat template by name; a single unnamed template is listed as "default".</summary>
    public IReadOnlyDictionary<string, string> ChatTemplates { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary><c>model_max_length</c> when it is a sensible integer, else null.</summary>
    public long? ModelMaxLength { get; init; }

    public string? TokenizerClass { get; init; }

    /// <summary>transformers' <c>clean_up_tokenization_spaces</c>; null when the file does not say.</summary>
    public bool? CleanUpTokenizationSpaces { get; init; }

    /// <summary>Reads tokenizer_config.json text.</summary>
    /// <exception cref="TokenizerFormatException">The text is not a JSON object or a field has the wrong shape.</exception>
    public static TokenizerConfig FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TokenizerFormatException("tokenizer_config.json must hold a JSON object.");
            }

            var templates = ReadChatTemplates(root);
            return new TokenizerConfig
            {
                BosToken = ReadTokenString(root, "bos_token"),
                EosToken = ReadTokenString(root, "eos_token"),
                PadToken = ReadTokenString(root, "pad_token"),
                UnkToken = ReadTokenString(root, "unk_token"),
                AddBosToken = ReadBool(root, "add_bos_token"),
                AddEosToken = ReadBool(root, "add_eos_token"),
                ChatTemplates = templates,
                ChatTemplate = templates.TryGetValue("default", out var t) ? t : null,
                ModelMaxLength = root.TryGetProperty("model_max_length", out var max) && max.ValueKind == JsonValueKind.Number
                    && max.TryGetInt64(out var m) && m > 0 && m < int.MaxValue ? m : null,
                TokenizerClass = root.TryGetProperty("tokenizer_class", out var cls) && cls.ValueKind == JsonValueKind.String ? cls.GetString() : null,
                CleanUpTokenizationSpaces = ReadBool(root, "clean_up_tokenization_spaces"),
            };
        }
        catch (JsonException ex)
        {
            throw new TokenizerFormatException($"tokenizer_config.json is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Reads the configuration beside a tokenizer.json: tokenizer_config.json, plus chat_template.jinja (newer
    /// exports keep the template there) when the config names none. Returns <see cref="Empty"/> when neither exists.
    /// </summary>
    public static TokenizerConfig FromDirectory(string directory)
    {
        var configPath = Path.Combine(directory, "tokenizer_config.json");
        var config = File.Exists(configPath) ? FromJson(File.ReadAllText(configPath)) : Empty;
        var jinjaPath = Path.Combine(directory, "chat_template.jinja");
        if (config.ChatTemplate is null && File.Exists(jinjaPath))
        {
            var template = File.ReadAllText(jinjaPath);
            config = config with
            {
                ChatTemplate = template,
                ChatTemplates = new Dictionary<string, string>(config.ChatTemplates, StringComparer.Ordinal) { ["default"] = template },
            };
        }

        return config;
    }

    private static Dictionary<string, string> ReadChatTemplates(JsonElement root)
    {
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.TryGetProperty("chat_template", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return templates;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                templates["default"] = value.GetString()!;
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object
                        || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                        || !item.TryGetProperty("template", out var template) || template.ValueKind != JsonValueKind.String)
                    {
                        throw new TokenizerFormatException("chat_template array items must be objects with string 'name' and 'template'.");
                    }

                    templates[name.GetString()!] = template.GetString()!;
                }

                break;
            default:
                throw new TokenizerFormatException("chat_template must be a string or an array of {name, template}.");
        }

        return templates;
    }

    /// <summary>A special token is either a string or an AddedToken object with "content".</summary>
    private static string? ReadTokenString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String => content.GetString(),
            JsonValueKind.Null => null,
            _ => throw new TokenizerFormatException($"tokenizer_config.json: '{name}' must be a string or an object with 'content'."),
        };
    }

    private static bool? ReadBool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
}
