using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AkashML.Inference.Runtime;

/// <summary>
/// The model folder's genai_config.json as ONNX Runtime GenAI reads it (the fields a decoder-only LLM uses).
/// <see cref="Load"/> parses, applies defaults and validates, naming the field in every error.
/// </summary>
public sealed class GenAiConfig
{
    public const string FileName = "genai_config.json";

    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    [JsonPropertyName("model")]
    public GenAiModelConfig? Model { get; init; }

    [JsonPropertyName("search")]
    public GenAiSearchConfig Search { get; init; } = new();

    /// <summary>Reads and validates a genai_config.json file; <paramref name="overlay"/> is JSON merged over it first.</summary>
    public static GenAiConfig Load(string path, string? overlay = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model folder has no {FileName} (looked for '{path}').", path);
        }

        return Parse(File.ReadAllText(path), path, overlay);
    }

    /// <summary>Parses and validates genai_config.json text; <paramref name="source"/> names it in error messages.</summary>
    public static GenAiConfig Parse(string json, string? source = null, string? overlay = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (overlay is not null)
            {
                var overlayNode = JsonNode.Parse(overlay) ?? throw new ModelConfigException("$", "overlay is empty", "config overlay");
                root = Merge(root, overlayNode);
            }
        }
        catch (JsonException ex)
        {
            throw new ModelConfigException(
                "$",
                $"is not valid JSON (line {(ex.LineNumber ?? 0) + 1}): {ex.Message}",
                source,
                ex);
        }

        if (root is not JsonObject)
        {
            throw new ModelConfigException("$", "must be a JSON object", source);
        }

        GenAiConfig? config;
        try
        {
            config = root.Deserialize<GenAiConfig>(SerializerOptions);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path.TrimStart('$', '.');
            throw new ModelConfigException(field, $"has the wrong type or value: {ex.Message}", source, ex);
        }

        if (config is null)
        {
            throw new ModelConfigException("$", "is empty", source);
        }

        config.Validate(source);
        return config;
    }

    private void Validate(string? source)
    {
        var model = Model ?? throw new ModelConfigException("model", "is required", source);
        if (string.IsNullOrWhiteSpace(model.Type))
        {
            throw new ModelConfigException("model.type", "is required (e.g. \"llama\", \"gpt2\", \"phi3\")", source);
        }

        Positive(model.VocabSize, "model.vocab_size", source);
        Positive(model.ContextLength, "model.context_length", source);
        if (model.EosTokenId.Length == 0 && model.PadTokenId is null)
        {
            throw new ModelConfigException("model.eos_token_id", "is required (or model.pad_token_id, which GenAI uses in its place)", source);
        }

        var decoder = model.Decoder ?? throw new ModelConfigException("model.decoder", "is required", source);
        if (string.IsNullOrWhiteSpace(decoder.Filename))
        {
            throw new ModelConfigException("model.decoder.filename", "is required (the ONNX file inside the model folder)", source);
        }

        if (Path.IsPathRooted(decoder.Filename) || decoder.Filename.Contains("..", StringComparison.Ordinal))
        {
            throw new ModelConfigException("model.decoder.filename", $"must be a file inside the model folder, not '{decoder.Filename}'", source);
        }

        Positive(decoder.NumHiddenLayers, "model.decoder.num_hidden_layers", source);
        NotNegative(decoder.HeadSize, "model.decoder.head_size", source);
        NotNegative(decoder.NumKeyValueHeads, "model.decoder.num_key_value_heads", source);
        NotNegative(decoder.NumAttentionHeads, "model.decoder.num_attention_heads", source);
        NotNegative(decoder.HiddenSize, "model.decoder.hidden_size", source);
        if (string.IsNullOrEmpty(decoder.Inputs.InputIds))
        {
            throw new ModelConfigException("model.decoder.inputs.input_ids", "must not be empty", source);
        }

        if (string.IsNullOrEmpty(decoder.Outputs.Logits))
        {
            throw new ModelConfigException("model.decoder.outputs.logits", "must not be empty", source);
        }

        var search = Search;
        NotNegative(search.MaxLength, "search.max_length", source);
        NotNegative(search.MinLength, "search.min_length", source);
        Positive(search.NumBeams, "search.num_beams", source);
        Positive(search.NumReturnSequences, "search.num_return_sequences", source);
        Positive(search.BatchSize, "search.batch_size", source);
        NotNegative(search.TopK, "search.top_k", source);
        NotNegative(search.NoRepeatNgramSize, "search.no_repeat_ngram_size", source);
        if (search.TopP is < 0 or > 1 || float.IsNaN(search.TopP))
        {
            throw new ModelConfigException("search.top_p", $"must be in [0, 1], not {search.TopP.ToString(CultureInfo.InvariantCulture)}", source);
        }

        if (search.Temperature < 0 || float.IsNaN(search.Temperature))
        {
            throw new ModelConfigException("search.temperature", "must be >= 0", source);
        }

        if (search.RepetitionPenalty <= 0 || float.IsNaN(search.RepetitionPenalty))
        {
            throw new ModelConfigException("search.repetition_penalty", "must be > 0", source);
        }
    }

    private static void Positive(int value, string field, string? source)
    {
        if (value <= 0)
        {
            throw new ModelConfigException(field, $"is required and must be > 0 (got {value.ToString(CultureInfo.InvariantCulture)})", source);
        }
    }

    private static void NotNegative(int value, string field, string? source)
    {
        if (value < 0)
        {
            throw new ModelConfigException(field, $"must be >= 0 (got {value.ToString(CultureInfo.InvariantCulture)})", source);
        }
    }

    private static JsonNode? Merge(JsonNode? target, JsonNode overlay)
    {
        if (target is JsonObject targetObject && overlay is JsonObject overlayObject)
        {
            foreach (var (key, value) in overlayObject.ToArray())
            {
                overlayObject.Remove(key);
                targetObject[key] = value is null ? null : Merge(targetObject[key]?.DeepClone(), value);
            }

            return targetObject;
        }

        return overlay.DeepClone();
    }
}
