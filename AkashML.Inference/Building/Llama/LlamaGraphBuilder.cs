using AkashML.Inference.Building.Onnx;

namespace AkashML.Inference.Building.Llama;

/// <summary>
/// Builds the ONNX decoder graph that ONNX Runtime GenAI's model builder emits for Llama-family models on CPU:
/// Gather embedding, (Skip)SimplifiedLayerNormalization, packed QKV MatMul into com.microsoft GroupQueryAttention
/// with fused rotary (cos/sin caches) and a [batch, kv_heads, seq, head_size] KV cache, SwiGLU MLP, final norm and
/// lm_head. seqlens_k and total_sequence_length come from attention_mask.
/// </summary>
public sealed class LlamaGraphBuilder
{
    public const string MicrosoftDomain = "com.microsoft";
    public const string PastKeyFormat = "past_key_values.{0}.key";
    public const string PastValueFormat = "past_key_values.{0}.value";
    public const string PresentKeyFormat = "present.{0}.key";
    public const string PresentValueFormat = "present.{0}.value";

    /// <summary>The opsets the graph imports: ONNX 17 and com.microsoft 1.</summary>
    public static IReadOnlyList<KeyValuePair<string, long>> Opsets { get; } =
        [new(string.Empty, 17), new(MicrosoftDomain, 1)];

    private readonly OnnxGraph _graph;
    private readonly ILlamaWeights _weights;
    private readonly LlamaArchitecture _arch;
    private readonly WeightFormat _format;
    private readonly int _accuracyLevel;

    public LlamaGraphBuilder(OnnxGraph graph, ILlamaWeights weights, WeightFormat format, int accuracyLevel = 4)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(weights);
        _graph = graph;
        _weights = weights;
        _arch = weights.Architecture;
        _format = format;
        _accuracyLevel = accuracyLevel;
    }

    /// <summary>GroupQueryAttention's fused rotary needs head_size to be a multiple of 16; smaller heads get
    /// com.microsoft RotaryEmbedding on Q and K before attention instead.</summary>
    public static bool UsesFusedRotary(LlamaArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return architecture.HeadSize % 16 == 0;
    }

    private static string Format(string format, int layer) => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, layer);

    public void Build(CancellationToken cancellationToken)
    {
        _arch.Validate();
        DeclareInputsAndOutputs();
        var (seqlensK, totalLength) = AddMaskSubgraph();
        var fused = UsesFusedRotary(_arch);
        var (cos, sin) = RotaryTables.Create(_arch.ContextLength, _arch.HeadSize, _arch.RopeTheta, _arch.RopeScaling);
        var half = _arch.HeadSize / 2;
        var cosName = _graph.AddFloats("cos_cache", [_arch.ContextLength, half], cos);
        var sinName = _graph.AddFloats("sin_cache", [_arch.ContextLength, half], sin);
        var positions = fused ? null : AddPositionIds();

        var embedding = _weights.TokenEmbedding();
        CheckLength(embedding, (long)_arch.VocabularySize * _arch.HiddenSize, "token embedding");
        var embeddingName = _graph.AddFloats("model.embed_tokens.weight", [_arch.VocabularySize, _arch.HiddenSize], embedding);
        var hidden = _graph.AddNode("Gather", [embeddingName, "input_ids"], ["/model/embed_tokens/Gather/output_0"], attributes: OnnxAttribute.FromInt("axis", 0));
        if (!_arch.TiedEmbeddings)
        {
            embedding = null;
        }

        string? residual = null;
        string? pendingAdd = null;
        for (var layer = 0; layer < _arch.LayerCount; layer++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var prefix = $"/model/layers.{layer}";
            var inputNormWeight = LayerWeight(layer, LlamaTensor.InputNorm, _arch.HiddenSize);
            var inputNormName = _graph.AddFloats($"model.layers.{layer}.input_layernorm.weight", [_arch.HiddenSize], inputNormWeight);
            string normed;
            if (pendingAdd is null)
            {
                normed = _graph.AddNode("SimplifiedLayerNormalization", [hidden, inputNormName], [$"{prefix}/input_layernorm/output_0"], attributes:
                    [OnnxAttribute.FromInt("axis", -1), OnnxAttribute.FromFloat("epsilon", _arch.RmsNormEpsilon), OnnxAttribute.FromInt("stash_type", 1)]);
                residual = hidden;
            }
            else
            {
                var sum = $"{prefix}/input_layernorm/output_3";
                normed = _graph.AddNode("SkipSimplifiedLayerNormalization", [pendingAdd, residual!, inputNormName], [$"{prefix}/input_layernorm/output_0", string.Empty, string.Empty, sum], MicrosoftDomain, attributes:
                    OnnxAttribute.FromFloat("epsilon", _arch.RmsNormEpsilon));
                residual = sum;
            }

            var attention = AddAttention(layer, prefix, normed, seqlensK, totalLength, cosName, sinName, positions);
            var postNormName = _graph.AddFloats($"model.layers.{layer}.post_attention_layernorm.weight", [_arch.HiddenSize], LayerWeight(layer, LlamaTensor.PostAttentionNorm, _arch.HiddenSize));
            var attentionSum = $"{prefix}/post_attention_layernorm/output_3";
            var mlpInput = _graph.AddNode("SkipSimplifiedLayerNormalization", [attention, residual!, postNormName], [$"{prefix}/post_attention_layernorm/output_0", string.Empty, string.Empty, attentionSum], MicrosoftDomain, attributes:
                OnnxAttribute.FromFloat("epsilon", _arch.RmsNormEpsilon));
            residual = attentionSum;
            pendingAdd = AddMlp(layer, prefix, mlpInput);
        }

        var finalNormName = _graph.AddFloats("model.norm.weight", [_arch.HiddenSize], CheckLength(_weights.FinalNorm(), _arch.HiddenSize, "final norm"));
        var finalNormed = _graph.AddNode("SkipSimplifiedLayerNormalization", [pendingAdd!, residual!, finalNormName], ["/model/norm/output_0", string.Empty, string.Empty, "/model/norm/output_3"], MicrosoftDomain, attributes:
            OnnxAttribute.FromFloat("epsilon", _arch.RmsNormEpsilon));

        var head = embedding ?? _weights.OutputProjection() ?? _weights.TokenEmbedding();
        CheckLength(head, (long)_arch.VocabularySize * _arch.HiddenSize, "output projection");
        AddLinear("lm_head", finalNormed, head, _arch.VocabularySize, _arch.HiddenSize, "logits");
    }

    private void DeclareInputsAndOutputs()
    {
        _graph.AddInput("input_ids", OnnxDataType.Int64, "batch_size", "sequence_length");
        _graph.AddInput("attention_mask", OnnxDataType.Int64, "batch_size", "total_sequence_length");
        for (var layer = 0; layer < _arch.LayerCount; layer++)
        {
            _graph.AddInput(Format(PastKeyFormat, layer), OnnxDataType.Float, "batch_size", _arch.KeyValueHeadCount, "past_sequence_length", _arch.HeadSize);
            _graph.AddInput(Format(PastValueFormat, layer), OnnxDataType.Float, "batch_size", _arch.KeyValueHeadCount, "past_sequence_length", _arch.HeadSize);
        }

        _graph.AddOutput("logits", OnnxDataType.Float, "batch_size", "sequence_length", _arch.VocabularySize);
        for (var layer = 0; layer < _arch.LayerCount; layer++)
        {
            _graph.AddOutput(Format(PresentKeyFormat, layer), OnnxDataType.Float, "batch_size", _arch.KeyValueHeadCount, "total_sequence_length", _arch.HeadSize);
            _graph.AddOutput(Format(PresentValueFormat, layer), OnnxDataType.Float, "batch_size", _arch.KeyValueHeadCount, "total_sequence_length", _arch.HeadSize);
        }
    }

    /// <summary>seqlens_k = sum(attention_mask, 1) - 1 as int32 [batch]; total_sequence_length = mask width as int32 scalar.</summary>
    private (string SeqlensK, string TotalLength) AddMaskSubgraph()
    {
        var axisOne = _graph.AddInt64s("/model/constants/axes_1", [1], [1]);
        var one = _graph.AddInt64s("/model/constants/one", [], [1]);
        var indexOne = _graph.AddInt64s("/model/constants/index_1", [], [1]);
        var sum = _graph.AddNode("ReduceSum", ["attention_mask", axisOne], ["/model/attn_mask_reformat/ReduceSum/output_0"], attributes: OnnxAttribute.FromInt("keepdims", 0));
        var minusOne = _graph.AddNode("Sub", [sum, one], ["/model/attn_mask_reformat/Sub/output_0"]);
        var seqlensK = _graph.AddNode("Cast", [minusOne], ["/model/attn_mask_reformat/seqlens_k"], attributes: OnnxAttribute.FromInt("to", (long)OnnxDataType.Int32));
        var shape = _graph.AddNode("Shape", ["attention_mask"], ["/model/attn_mask_reformat/Shape/output_0"]);
        var width = _graph.AddNode("Gather", [shape, indexOne], ["/model/attn_mask_reformat/Gather/output_0"], attributes: OnnxAttribute.FromInt("axis", 0));
        var total = _graph.AddNode("Cast", [width], ["/model/attn_mask_reformat/total_seq_len"], attributes: OnnxAttribute.FromInt("to", (long)OnnxDataType.Int32));
        return (seqlensK, total);
    }

    /// <summary>Positions of the current tokens: cumsum(mask) - 1 over the last sequence_length columns, clamped at 0.
    /// This is GenAI's own position rule (right padding, and per-row offsets in batched decoding).</summary>
    private string AddPositionIds()
    {
        var axis = _graph.AddInt64s("/model/pos_ids_reformat/axis", [], [1]);
        var one = _graph.AddInt64s("/model/pos_ids_reformat/one", [], [1]);
        var zero = _graph.AddInt64s("/model/pos_ids_reformat/zero", [], [0]);
        var axes = _graph.AddInt64s("/model/pos_ids_reformat/axes", [1], [1]);
        var end = _graph.AddInt64s("/model/pos_ids_reformat/end", [1], [long.MaxValue]);
        var indexOne = _graph.AddInt64s("/model/pos_ids_reformat/index_1", [1], [1]);
        var cumsum = _graph.AddNode("CumSum", ["attention_mask", axis], ["/model/pos_ids_reformat/CumSum/output_0"]);
        var minusOne = _graph.AddNode("Sub", [cumsum, one], ["/model/pos_ids_reformat/Sub/output_0"]);
        var clamped = _graph.AddNode("Max", [minusOne, zero], ["/model/pos_ids_reformat/Max/output_0"]);
        var idsShape = _graph.AddNode("Shape", ["input_ids"], ["/model/pos_ids_reformat/Shape/output_0"]);
        var length = _graph.AddNode("Gather", [idsShape, indexOne], ["/model/pos_ids_reformat/Gather/output_0"], attributes: OnnxAttribute.FromInt("axis", 0));
        var start = _graph.AddNode("Neg", [length], ["/model/pos_ids_reformat/Neg/output_0"]);
        return _graph.AddNode("Slice", [clamped, start, end, axes], ["/model/pos_ids_reformat/position_ids"]);
    }

    private string AddAttention(int layer, string prefix, string normed, string seqlensK, string totalLength, string cos, string sin, string? positions)
    {
        var q = LayerWeight(layer, LlamaTensor.QueryWeight, (long)_arch.QuerySize * _arch.HiddenSize);
        var k = LayerWeight(layer, LlamaTensor.KeyWeight, (long)_arch.KeyValueSize * _arch.HiddenSize);
        var v = LayerWeight(layer, LlamaTensor.ValueWeight, (long)_arch.KeyValueSize * _arch.HiddenSize);
        float[]? bias = null;
        if (_arch.AttentionBias)
        {
            bias = Concat(
                LayerWeight(layer, LlamaTensor.QueryBias, _arch.QuerySize),
                LayerWeight(layer, LlamaTensor.KeyBias, _arch.KeyValueSize),
                LayerWeight(layer, LlamaTensor.ValueBias, _arch.KeyValueSize));
        }

        var packedSize = _arch.QuerySize + (2 * _arch.KeyValueSize);
        var qkv = AddLinear($"{prefix}/attn/qkv_proj", normed, Concat(q, k, v), packedSize, _arch.HiddenSize, $"{prefix}/attn/qkv_proj/output_0");
        if (bias is not null)
        {
            var biasName = _graph.AddFloats($"model.layers.{layer}.attn.qkv_proj.bias", [packedSize], bias);
            qkv = _graph.AddNode("Add", [qkv, biasName], [$"{prefix}/attn/qkv_proj/Add/output_0"]);
        }

        var attributes = new List<OnnxAttribute>
        {
            OnnxAttribute.FromInt("num_heads", _arch.HeadCount),
            OnnxAttribute.FromInt("kv_num_heads", _arch.KeyValueHeadCount),
            OnnxAttribute.FromFloat("scale", 1f / MathF.Sqrt(_arch.HeadSize)),
            OnnxAttribute.FromInt("local_window_size", _arch.SlidingWindow ?? -1),
        };
        var pastKey = Format(PastKeyFormat, layer);
        var pastValue = Format(PastValueFormat, layer);
        var outputs = new[] { $"{prefix}/attn/GroupQueryAttention/output_0", Format(PresentKeyFormat, layer), Format(PresentValueFormat, layer) };
        string attention;
        if (positions is null)
        {
            attributes.Add(OnnxAttribute.FromInt("do_rotary", 1));
            attributes.Add(OnnxAttribute.FromInt("rotary_interleaved", _arch.RotaryInterleaved ? 1 : 0));
            attention = _graph.AddNode("GroupQueryAttention", [qkv, string.Empty, string.Empty, pastKey, pastValue, seqlensK, totalLength, cos, sin], outputs, MicrosoftDomain, attributes: [.. attributes]);
        }
        else
        {
            var splits = _graph.AddInt64s($"{prefix}/attn/qkv_split_sizes", [3], [_arch.QuerySize, _arch.KeyValueSize, _arch.KeyValueSize]);
            string[] parts = [$"{prefix}/attn/Split/output_0", $"{prefix}/attn/Split/output_1", $"{prefix}/attn/Split/output_2"];
            _graph.AddNode("Split", [qkv, splits], parts, attributes: OnnxAttribute.FromInt("axis", -1));
            var rotatedQ = AddRotary($"{prefix}/attn/q_rotary", parts[0], positions, cos, sin, _arch.HeadCount);
            var rotatedK = AddRotary($"{prefix}/attn/k_rotary", parts[1], positions, cos, sin, _arch.KeyValueHeadCount);
            attention = _graph.AddNode("GroupQueryAttention", [rotatedQ, rotatedK, parts[2], pastKey, pastValue, seqlensK, totalLength], outputs, MicrosoftDomain, attributes: [.. attributes]);
        }

        var o = LayerWeight(layer, LlamaTensor.OutputWeight, (long)_arch.HiddenSize * _arch.QuerySize);
        return AddLinear($"{prefix}/attn/o_proj", attention, o, _arch.HiddenSize, _arch.QuerySize, $"{prefix}/attn/o_proj/output_0");
    }

    private string AddRotary(string name, string input, string positions, string cos, string sin, int heads) =>
        _graph.AddNode("RotaryEmbedding", [input, positions, cos, sin], [name + "/output_0"], MicrosoftDomain, attributes:
            [OnnxAttribute.FromInt("interleaved", _arch.RotaryInterleaved ? 1 : 0), OnnxAttribute.FromInt("num_heads", heads)]);

    private string AddMlp(int layer, string prefix, string input)
    {
        var size = _arch.IntermediateSize;
        var gate = AddLinear($"{prefix}/mlp/gate_proj", input, LayerWeight(layer, LlamaTensor.GateWeight, (long)size * _arch.HiddenSize), size, _arch.HiddenSize, $"{prefix}/mlp/gate_proj/output_0");
        var up = AddLinear($"{prefix}/mlp/up_proj", input, LayerWeight(layer, LlamaTensor.UpWeight, (long)size * _arch.HiddenSize), size, _arch.HiddenSize, $"{prefix}/mlp/up_proj/output_0");
        var sigmoid = _graph.AddNode("Sigmoid", [gate], [$"{prefix}/mlp/act_fn/Sigmoid/output_0"]);
        var silu = _graph.AddNode("Mul", [gate, sigmoid], [$"{prefix}/mlp/act_fn/Mul/output_0"]);
        var product = _graph.AddNode("Mul", [silu, up], [$"{prefix}/mlp/Mul/output_0"]);
        return AddLinear($"{prefix}/mlp/down_proj", product, LayerWeight(layer, LlamaTensor.DownWeight, (long)_arch.HiddenSize * size), _arch.HiddenSize, size, $"{prefix}/mlp/down_proj/output_0");
    }

    /// <summary>y = x · Wᵀ for a weight W [outFeatures, inFeatures] (row-major), as MatMul or MatMulNBits.</summary>
    private string AddLinear(string name, string input, float[] weight, int outFeatures, int inFeatures, string output)
    {
        var initializer = name.TrimStart('/').Replace('/', '.');
        if (_format == WeightFormat.Int4)
        {
            var quantized = Int4BlockQuantizer.Quantize(weight, outFeatures, inFeatures);
            var b = _graph.AddBytes(initializer + ".MatMul.weight_Q4", [outFeatures, quantized.BlockCount, Int4BlockQuantizer.BlockSize / 2], quantized.Packed);
            var scales = _graph.AddFloats(initializer + ".MatMul.weight_scales", [(long)outFeatures * quantized.BlockCount], quantized.Scales);
            var zeros = _graph.AddBytes(initializer + ".MatMul.weight_zp", [quantized.ZeroPoints.Length], quantized.ZeroPoints);
            return _graph.AddNode("MatMulNBits", [input, b, scales, zeros], [output], MicrosoftDomain, name + "/MatMulNBits",
                OnnxAttribute.FromInt("K", inFeatures),
                OnnxAttribute.FromInt("N", outFeatures),
                OnnxAttribute.FromInt("bits", 4),
                OnnxAttribute.FromInt("block_size", Int4BlockQuantizer.BlockSize),
                OnnxAttribute.FromInt("accuracy_level", _accuracyLevel));
        }

        var transposed = Transpose(weight, outFeatures, inFeatures);
        var weightName = _graph.AddFloats(initializer + ".MatMul.weight", [inFeatures, outFeatures], transposed);
        return _graph.AddNode("MatMul", [input, weightName], [output], name: name + "/MatMul");
    }

    private float[] LayerWeight(int layer, LlamaTensor tensor, long expected) =>
        CheckLength(_weights.Layer(layer, tensor), expected, $"layer {layer} {tensor}");

    private static float[] CheckLength(float[] values, long expected, string what)
    {
        if (values.LongLength != expected)
        {
            throw new ModelBuildException($"Tensor {what} has {values.LongLength} values, expected {expected}.");
        }

        return values;
    }

    private static float[] Transpose(float[] weight, int rows, int cols)
    {
        var result = new float[weight.LongLength];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                result[((long)c * rows) + r] = weight[((long)r * cols) + c];
            }
        }

        return result;
    }

    private static float[] Concat(params float[][] parts)
    {
        var result = new float[parts.Sum(p => p.LongLength)];
        long offset = 0;
        foreach (var part in parts)
        {
            Array.Copy(part, 0, result, offset, part.LongLength);
            offset += part.LongLength;
        }

        return result;
    }
}
