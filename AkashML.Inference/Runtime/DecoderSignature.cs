using System.Globalization;
using AkashML.Inference.Native;

namespace AkashML.Inference.Runtime;

/// <summary>
/// What the decoder graph actually takes and returns, resolved from genai_config names and the session's metadata:
/// which optional inputs exist, their element types, and the KV cache tensors with their layout.
/// </summary>
internal sealed class DecoderSignature
{
    private DecoderSignature()
    {
    }

    internal string InputIds { get; private init; } = string.Empty;

    internal TensorElementType InputIdsType { get; private init; }

    internal string? AttentionMask { get; private init; }

    internal TensorElementType AttentionMaskType { get; private init; }

    internal string? PositionIds { get; private init; }

    internal TensorElementType PositionIdsType { get; private init; }

    /// <summary>gpt2-style combined KV: one [2, B, H, S, D] tensor per layer instead of separate [B, H, S, D] keys and values.</summary>
    internal bool CombinedKv { get; private init; }

    /// <summary>Past input names in feed order (separate: key0, value0, key1, ...; combined: past0, past1, ...).</summary>
    internal string[] PastNames { get; private init; } = [];

    /// <summary>Present output names, index-aligned with <see cref="PastNames"/>.</summary>
    internal string[] PresentNames { get; private init; } = [];

    internal TensorElementType KvType { get; private init; }

    internal int KvHeads { get; private init; }

    internal int HeadSize { get; private init; }

    internal string Logits { get; private init; } = string.Empty;

    internal TensorElementType LogitsType { get; private init; }

    /// <summary>Rank of one KV tensor.</summary>
    internal int KvRank => CombinedKv ? 5 : 4;

    internal static DecoderSignature Resolve(GenAiConfig config, OrtInferenceSession session, string modelPath)
    {
        var decoder = config.Model!.Decoder!;
        var inputs = decoder.Inputs;
        var outputs = decoder.Outputs;

        var ids = session.FindInput(inputs.InputIds)
            ?? throw Mismatch(modelPath, $"has no input '{inputs.InputIds}' (model.decoder.inputs.input_ids); its inputs are: {Names(session.Inputs)}");
        RequireIntegral(ids, modelPath, "model.decoder.inputs.input_ids");

        var mask = session.FindInput(inputs.AttentionMask);
        if (mask is not null)
        {
            RequireIntegral(mask, modelPath, "model.decoder.inputs.attention_mask");
        }

        var positions = session.FindInput(inputs.PositionIds);
        if (positions is not null)
        {
            RequireIntegral(positions, modelPath, "model.decoder.inputs.position_ids");
        }

        var logits = session.FindOutput(outputs.Logits)
            ?? throw Mismatch(modelPath, $"has no output '{outputs.Logits}' (model.decoder.outputs.logits); its outputs are: {Names(session.Outputs)}");
        if (logits.ElementType is not (TensorElementType.Float or TensorElementType.Float16 or TensorElementType.BFloat16))
        {
            throw Mismatch(modelPath, $"output '{logits.Name}' is {logits.ElementType}; logits must be float, float16 or bfloat16");
        }

        var combined = inputs.PastNames is not null;
        if (combined && outputs.PresentNames is null)
        {
            throw new ModelConfigException("model.decoder.outputs.present_names", "is required when model.decoder.inputs.past_names is set", modelPath);
        }

        var pastNames = new List<string>();
        var presentNames = new List<string>();
        OrtTensorInfo? firstPast = null;
        for (var layer = 0; layer < decoder.NumHiddenLayers; layer++)
        {
            var templates = combined
                ? new[] { (inputs.PastNames!, outputs.PresentNames!) }
                : new[] { (inputs.PastKeyNames, outputs.PresentKeyNames), (inputs.PastValueNames, outputs.PresentValueNames) };
            foreach (var (pastTemplate, presentTemplate) in templates)
            {
                var pastName = LayerName(pastTemplate, layer);
                var past = session.FindInput(pastName);
                if (past is null)
                {
                    // Sparse layer lists (hybrid models) simply have no KV for some layers.
                    continue;
                }

                var presentName = LayerName(presentTemplate, layer);
                if (session.FindOutput(presentName) is null)
                {
                    throw Mismatch(modelPath, $"has KV input '{pastName}' but no output '{presentName}'");
                }

                if (past.Dimensions.Length != (combined ? 5 : 4))
                {
                    throw Mismatch(modelPath, $"KV input '{pastName}' has rank {past.Dimensions.Length}; expected {(combined ? "[2, batch, heads, sequence, head_size]" : "[batch, heads, sequence, head_size]")}");
                }

                firstPast ??= past;
                if (past.ElementType != firstPast.ElementType)
                {
                    throw Mismatch(modelPath, $"KV inputs mix element types ({firstPast.ElementType} and {past.ElementType})");
                }

                pastNames.Add(pastName);
                presentNames.Add(presentName);
            }
        }

        var kvHeads = decoder.NumKeyValueHeads > 0 ? decoder.NumKeyValueHeads : decoder.NumAttentionHeads;
        var headSize = decoder.HeadSize;
        if (firstPast is not null)
        {
            var headAxis = combined ? 2 : 1;
            var sizeAxis = combined ? 4 : 3;
            kvHeads = firstPast.Dimensions[headAxis] > 0 ? (int)firstPast.Dimensions[headAxis] : kvHeads;
            headSize = firstPast.Dimensions[sizeAxis] > 0 ? (int)firstPast.Dimensions[sizeAxis] : headSize;
            if (kvHeads <= 0)
            {
                throw new ModelConfigException("model.decoder.num_key_value_heads", "is required: the graph's KV head count is symbolic", modelPath);
            }

            if (headSize <= 0)
            {
                throw new ModelConfigException("model.decoder.head_size", "is required: the graph's KV head size is symbolic", modelPath);
            }
        }

        var known = new HashSet<string>(StringComparer.Ordinal) { ids.Name };
        if (mask is not null)
        {
            known.Add(mask.Name);
        }

        if (positions is not null)
        {
            known.Add(positions.Name);
        }

        known.UnionWith(pastNames);
        var unknown = session.Inputs.Where(i => !known.Contains(i.Name)).Select(i => i.Name).ToArray();
        if (unknown.Length > 0)
        {
            throw new UnsupportedArchitectureException(
                $"The model graph '{modelPath}' has inputs this runtime does not feed: {string.Join(", ", unknown)}. Check model.decoder.inputs in genai_config.json " +
                "(past_key_names / past_value_names / past_names templates and num_hidden_layers).");
        }

        return new DecoderSignature
        {
            InputIds = ids.Name,
            InputIdsType = ids.ElementType,
            AttentionMask = mask?.Name,
            AttentionMaskType = mask?.ElementType ?? TensorElementType.Int64,
            PositionIds = positions?.Name,
            PositionIdsType = positions?.ElementType ?? TensorElementType.Int64,
            CombinedKv = combined,
            PastNames = [.. pastNames],
            PresentNames = [.. presentNames],
            KvType = firstPast?.ElementType ?? TensorElementType.Float,
            KvHeads = kvHeads,
            HeadSize = headSize,
            Logits = logits.Name,
            LogitsType = logits.ElementType,
        };
    }

    private static string LayerName(string template, int layer) =>
        template.Replace("%d", layer.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static void RequireIntegral(OrtTensorInfo input, string modelPath, string field)
    {
        if (input.ElementType is not (TensorElementType.Int32 or TensorElementType.Int64))
        {
            throw Mismatch(modelPath, $"input '{input.Name}' ({field}) is {input.ElementType}; int32 or int64 is required");
        }
    }

    private static string Names(IReadOnlyList<OrtTensorInfo> list) => string.Join(", ", list.Select(i => i.Name));

    private static ModelLoadException Mismatch(string modelPath, string problem) =>
        new($"The model graph '{modelPath}' {problem}.");
}
