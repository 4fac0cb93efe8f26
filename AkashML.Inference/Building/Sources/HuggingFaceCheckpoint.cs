using System.Globalization;
using System.Text.Json;
using AkashML.Inference.Building.Llama;

namespace AkashML.Inference.Building.Sources;

/// <summary>
/// A Hugging Face Llama-family folder: config.json plus *.safetensors. Supports model_type llama, mistral, qwen2 and
/// phi3 (whose fused qkv_proj and gate_up_proj are split here).
/// </summary>
public sealed class HuggingFaceCheckpoint : ILlamaWeights
{
    private static readonly string[] SupportedTypes = ["llama", "mistral", "qwen2", "phi3"];
    private readonly Dictionary<string, SafeTensorsFile> _tensorFiles;

    private HuggingFaceCheckpoint(string folder, LlamaArchitecture architecture, Dictionary<string, SafeTensorsFile> tensorFiles)
    {
        Folder = folder;
        Architecture = architecture;
        _tensorFiles = tensorFiles;
    }

    public string Folder { get; }

    public LlamaArchitecture Architecture { get; }

    public static HuggingFaceCheckpoint Open(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new ModelBuildException($"Folder '{folder}' does not exist.");
        }

        var configPath = Path.Combine(folder, "config.json");
        if (!File.Exists(configPath))
        {
            throw new ModelBuildException($"Folder '{folder}' has no config.json.");
        }

        LlamaArchitecture architecture;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(configPath));
            architecture = ParseConfig(document.RootElement, configPath);
        }
        catch (JsonException ex)
        {
            throw new ModelBuildException($"'{configPath}' is not valid JSON: {ex.Message}", ex);
        }

        var files = Directory.GetFiles(folder, "*.safetensors").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new ModelBuildException($"Folder '{folder}' has no *.safetensors files.");
        }

        var tensorFiles = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var safeTensors = SafeTensorsFile.Open(file);
            foreach (var name in safeTensors.Entries.Keys)
            {
                tensorFiles[name] = safeTensors;
            }
        }

        var checkpoint = new HuggingFaceCheckpoint(folder, architecture, tensorFiles);
        checkpoint.CheckTensorsPresent();
        return checkpoint;
    }

    public float[] TokenEmbedding() => Read("model.embed_tokens.weight");

    public float[] FinalNorm() => Read("model.norm.weight");

    public float[]? OutputProjection() => Architecture.TiedEmbeddings ? null : Read("lm_head.weight");

    public float[] Layer(int layer, LlamaTensor tensor)
    {
        var prefix = $"model.layers.{layer}.";
        var fusedQkv = Architecture.ModelType == "phi3";
        return tensor switch
        {
            LlamaTensor.InputNorm => Read(prefix + "input_layernorm.weight"),
            LlamaTensor.PostAttentionNorm => Read(prefix + "post_attention_layernorm.weight"),
            LlamaTensor.QueryWeight when fusedQkv => Rows(prefix + "self_attn.qkv_proj.weight", 0, Architecture.QuerySize),
            LlamaTensor.KeyWeight when fusedQkv => Rows(prefix + "self_attn.qkv_proj.weight", Architecture.QuerySize, Architecture.KeyValueSize),
            LlamaTensor.ValueWeight when fusedQkv => Rows(prefix + "self_attn.qkv_proj.weight", Architecture.QuerySize + Architecture.KeyValueSize, Architecture.KeyValueSize),
            LlamaTensor.QueryWeight => Read(prefix + "self_attn.q_proj.weight"),
            LlamaTensor.KeyWeight => Read(prefix + "self_attn.k_proj.weight"),
            LlamaTensor.ValueWeight => Read(prefix + "self_attn.v_proj.weight"),
            LlamaTensor.QueryBias => Read(prefix + "self_attn.q_proj.bias"),
            LlamaTensor.KeyBias => Read(prefix + "self_attn.k_proj.bias"),
            LlamaTensor.ValueBias => Read(prefix + "self_attn.v_proj.bias"),
            LlamaTensor.OutputWeight => Read(prefix + "self_attn.o_proj.weight"),
            LlamaTensor.GateWeight when fusedQkv => Rows(prefix + "mlp.gate_up_proj.weight", 0, Architecture.IntermediateSize),
            LlamaTensor.UpWeight when fusedQkv => Rows(prefix + "mlp.gate_up_proj.weight", Architecture.IntermediateSize, Architecture.IntermediateSize),
            LlamaTensor.GateWeight => Read(prefix + "mlp.gate_proj.weight"),
            LlamaTensor.UpWeight => Read(prefix + "mlp.up_proj.weight"),
            LlamaTensor.DownWeight => Read(prefix + "mlp.down_proj.weight"),
            _ => throw new ArgumentOutOfRangeException(nameof(tensor)),
        };
    }

    /// <summary>Every tensor name the build will read, so a missing one fails before anything is written.</summary>
    public IEnumerable<string> RequiredTensorNames()
    {
        yield return "model.embed_tokens.weight";
        yield return "model.norm.weight";
        if (!Architecture.TiedEmbeddings)
        {
            yield return "lm_head.weight";
        }

        var phi3 = Architecture.ModelType == "phi3";
        for (var layer = 0; layer < Architecture.LayerCount; layer++)
        {
            var prefix = $"model.layers.{layer}.";
            yield return prefix + "input_layernorm.weight";
            yield return prefix + "post_attention_layernorm.weight";
            yield return prefix + "self_attn.o_proj.weight";
            yield return prefix + "mlp.down_proj.weight";
            if (phi3)
            {
                yield return prefix + "self_attn.qkv_proj.weight";
                yield return prefix + "mlp.gate_up_proj.weight";
            }
            else
            {
                yield return prefix + "self_attn.q_proj.weight";
                yield return prefix + "self_attn.k_proj.weight";
                yield return prefix + "self_attn.v_proj.weight";
                yield return prefix + "mlp.gate_proj.weight";
                yield return prefix + "mlp.up_proj.weight";
            }

            if (Architecture.AttentionBias)
            {
                yield return prefix + "self_attn.q_proj.bias";
                yield return prefix + "self_attn.k_proj.bias";
                yield return prefix + "self_attn.v_proj.bias";
            }
        }
    }

    private void CheckTensorsPresent()
    {
        foreach (var name in RequiredTensorNames())
        {
            if (!_tensorFiles.ContainsKey(name))
            {
                throw new ModelBuildException($"Tensor '{name}' is missing from the safetensors files in '{Folder}'.");
            }
        }
    }

    private float[] Read(string name)
    {
        if (!_tensorFiles.TryGetValue(name, out var file))
        {
            throw new ModelBuildException($"Tensor '{name}' is missing from the safetensors files in '{Folder}'.");
        }

        return file.ReadFloats(name);
    }

    private float[] Rows(string name, int firstRow, int rowCount)
    {
        var all = Read(name);
        var columns = Architecture.HiddenSize;
        var result = new float[(long)rowCount * columns];
        if (((long)firstRow + rowCount) * columns > all.LongLength)
        {
            throw new ModelBuildException($"Tensor '{name}' is smaller than the config implies.");
        }

        Array.Copy(all, (long)firstRow * columns, result, 0, result.LongLength);
        return result;
    }

    internal static LlamaArchitecture ParseConfig(JsonElement config, string configPath)
    {
        var modelType = GetString(config, "model_type");
        if (modelType is null || !SupportedTypes.Contains(modelType))
        {
            throw new ModelBuildException($"Unsupported architecture '{modelType ?? "(none)"}' in '{configPath}'; supported: {string.Join(", ", SupportedTypes)}.");
        }

        int Required(string name) => GetInt(config, name) ?? throw new ModelBuildException($"'{configPath}' lacks '{name}'.");
        if (GetBool(config, "mlp_bias") == true)
        {
            throw new ModelBuildException($"'{configPath}' sets mlp_bias, which is not supported.");
        }

        if (modelType != "qwen2" && GetBool(config, "attention_bias") == true)
        {
            throw new ModelBuildException($"'{configPath}' sets attention_bias, which is only supported for qwen2.");
        }

        var hidden = Required("hidden_size");
        var heads = Required("num_attention_heads");
        var kvHeads = GetInt(config, "num_key_value_heads") ?? heads;
        var headSize = GetInt(config, "head_dim") ?? (hidden / heads);
        if (modelType == "phi3" && config.TryGetProperty("partial_rotary_factor", out var partial) && partial.ValueKind == JsonValueKind.Number && partial.GetDouble() != 1.0)
        {
            throw new ModelBuildException($"'{configPath}' uses partial rotary embeddings, which are not supported.");
        }

        var eos = ReadIds(config, "eos_token_id");
        var bos = GetInt(config, "bos_token_id") ?? 1;
        var pad = GetInt(config, "pad_token_id") ?? (eos.Count > 0 ? eos[0] : 0);
        int? window = null;
        if (modelType == "mistral" || (modelType == "qwen2" && GetBool(config, "use_sliding_window") == true))
        {
            window = GetInt(config, "sliding_window");
        }

        var architecture = new LlamaArchitecture
        {
            ModelType = modelType,
            HiddenSize = hidden,
            IntermediateSize = Required("intermediate_size"),
            LayerCount = Required("num_hidden_layers"),
            HeadCount = heads,
            KeyValueHeadCount = kvHeads,
            HeadSize = headSize,
            VocabularySize = Required("vocab_size"),
            ContextLength = GetInt(config, "max_position_embeddings") ?? 4096,
            RmsNormEpsilon = (float)(GetDouble(config, "rms_norm_eps") ?? 1e-6),
            RopeTheta = GetDouble(config, "rope_theta") ?? 10000.0,
            RopeScaling = ParseRopeScaling(config, configPath),
            RotaryInterleaved = false,
            TiedEmbeddings = GetBool(config, "tie_word_embeddings") ?? false,
            AttentionBias = modelType == "qwen2",
            SlidingWindow = window,
            BosTokenId = bos,
            EosTokenIds = eos.Count > 0 ? eos : [2],
            PadTokenId = pad,
        };
        if (modelType != "phi3" && headSize * heads != hidden && GetInt(config, "head_dim") is null)
        {
            throw new ModelBuildException($"'{configPath}': hidden_size {hidden} is not divisible by num_attention_heads {heads}.");
        }

        architecture.Validate();
        return architecture;
    }

    private static RopeScaling ParseRopeScaling(JsonElement config, string configPath)
    {
        if (!config.TryGetProperty("rope_scaling", out var scaling) || scaling.ValueKind == JsonValueKind.Null)
        {
            return RopeScaling.None;
        }

        var type = GetString(scaling, "rope_type") ?? GetString(scaling, "type") ?? "default";
        var factor = GetDouble(scaling, "factor") ?? 1.0;
        return type switch
        {
            "default" => RopeScaling.None,
            "linear" => new RopeScaling(RopeScalingKind.Linear, factor),
            "llama3" => new RopeScaling(
                RopeScalingKind.Llama3,
                factor,
                GetDouble(scaling, "low_freq_factor") ?? 1.0,
                GetDouble(scaling, "high_freq_factor") ?? 4.0,
                GetInt(scaling, "original_max_position_embeddings") ?? 8192),
            _ => throw new ModelBuildException($"'{configPath}' uses rope_scaling type '{type}'; supported: default, linear, llama3."),
        };
    }

    private static List<int> ReadIds(JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => [value.GetInt32()],
            JsonValueKind.Array => value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Number).Select(e => e.GetInt32()).ToList(),
            _ => [],
        };
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? GetInt(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static double? GetDouble(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static bool? GetBool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && (value.ValueKind == JsonValueKind.True || value.ValueKind == JsonValueKind.False) ? value.GetBoolean() : null;

    internal static string Describe(LlamaArchitecture architecture) => string.Create(
        CultureInfo.InvariantCulture,
        $"{architecture.ModelType}: hidden {architecture.HiddenSize}, layers {architecture.LayerCount}, heads {architecture.HeadCount}/{architecture.KeyValueHeadCount}, vocab {architecture.VocabularySize}");
}
