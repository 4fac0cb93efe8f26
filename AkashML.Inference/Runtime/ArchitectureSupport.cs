using System.Globalization;
using System.Text.Json;

namespace AkashML.Inference.Runtime;

/// <summary>
/// What in a genai_config.json our runtime does not implement, read from the raw JSON (so configs our parser would
/// reject for fields it does not know still get a clear answer). The catalog uses it to show which engine will serve a
/// model; <see cref="Model.Load"/> refuses such folders with <see cref="UnsupportedArchitectureException"/>.
/// </summary>
public static class ArchitectureSupport
{
    /// <summary>Sequence length after which phi3/phimoe switch from short to long rope factors (GenAI re-runs the sequence).</summary>
    private const int Phi3OriginalContext = 4096;

    /// <summary>The same for phi3small.</summary>
    private const int Phi3SmallOriginalContext = 8192;

    /// <summary>Why our runtime cannot run the model of <paramref name="configPath"/>, or null when it can (as far as the config tells).</summary>
    public static string? Problem(string configPath)
    {
        JsonElement model;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(configPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!document.RootElement.TryGetProperty("model", out var m) || m.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            model = m.Clone();
        }
        catch (JsonException)
        {
            return null; // the config parser reports broken JSON with the field; this check has nothing to add
        }

        var type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        var context = model.TryGetProperty("context_length", out var c) && c.TryGetInt32(out var length) ? length : 0;
        if (type is "phi3" or "phimoe" && context > Phi3OriginalContext)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"model type '{type}' with context_length {context}: phi3's long-rope switch at {Phi3OriginalContext + 1} tokens");
        }

        if (type == "phi3small" && context > Phi3SmallOriginalContext)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"model type 'phi3small' with context_length {context}: phi3's long-rope switch at {Phi3SmallOriginalContext + 1} tokens");
        }

        if (type.StartsWith("lfm2", StringComparison.Ordinal))
        {
            return $"model type '{type}': LFM2's hybrid convolution state";
        }

        if (model.TryGetProperty("decoder", out var decoder) && decoder.ValueKind == JsonValueKind.Object &&
            decoder.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == JsonValueKind.Object)
        {
            if (inputs.TryGetProperty("past_conv_names", out _))
            {
                return "model.decoder.inputs.past_conv_names: a hybrid model's convolution state";
            }

            if (inputs.TryGetProperty("inputs_embeds", out _))
            {
                return "model.decoder.inputs.inputs_embeds: a decoder fed embeddings instead of token ids";
            }
        }

        return null;
    }
}
