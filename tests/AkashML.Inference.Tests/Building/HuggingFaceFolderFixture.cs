using System.Text.Json;
using AkashML.Inference.Building.Llama;
using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Building.Tokenizers;

namespace AkashML.Inference.Tests.Building;

/// <summary>Writes a small Hugging Face style Llama-family folder with random weights (seeded) for builder tests.</summary>
internal static class HuggingFaceFolderFixture
{
    public sealed record Options(
        string ModelType = "llama",
        int Hidden = 64,
        int Intermediate = 96,
        int Layers = 2,
        int Heads = 4,
        int KvHeads = 2,
        int Vocab = 300,
        int Context = 256,
        bool Tied = false,
        string DType = "F32",
        int Seed = 7,
        object? RopeScaling = null,
        bool WriteTokenizer = true);

    public static void Write(string folder, Options o)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(o.Seed);
        var headSize = o.Hidden / o.Heads;
        float[] Rand(long count, float scale = 0.2f) => Enumerable.Range(0, (int)count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();
        float[] Norm(int count) => Enumerable.Range(0, count).Select(_ => 1f + (float)((random.NextDouble() - 0.5) * 0.2)).ToArray();
        var tensors = new List<(string, string, long[], float[])>
        {
            ("model.embed_tokens.weight", o.DType, [o.Vocab, o.Hidden], Rand((long)o.Vocab * o.Hidden, 1f)),
            ("model.norm.weight", o.DType, [o.Hidden], Norm(o.Hidden)),
        };
        if (!o.Tied)
        {
            tensors.Add(("lm_head.weight", o.DType, [o.Vocab, o.Hidden], Rand((long)o.Vocab * o.Hidden)));
        }

        var q = o.Heads * headSize;
        var kv = o.KvHeads * headSize;
        for (var l = 0; l < o.Layers; l++)
        {
            var p = $"model.layers.{l}.";
            tensors.Add((p + "input_layernorm.weight", o.DType, [o.Hidden], Norm(o.Hidden)));
            tensors.Add((p + "post_attention_layernorm.weight", o.DType, [o.Hidden], Norm(o.Hidden)));
            if (o.ModelType == "phi3")
            {
                tensors.Add((p + "self_attn.qkv_proj.weight", o.DType, [q + (2 * kv), o.Hidden], Rand((long)(q + (2 * kv)) * o.Hidden)));
                tensors.Add((p + "mlp.gate_up_proj.weight", o.DType, [2 * o.Intermediate, o.Hidden], Rand(2L * o.Intermediate * o.Hidden)));
            }
            else
            {
                tensors.Add((p + "self_attn.q_proj.weight", o.DType, [q, o.Hidden], Rand((long)q * o.Hidden)));
                tensors.Add((p + "self_attn.k_proj.weight", o.DType, [kv, o.Hidden], Rand((long)kv * o.Hidden)));
                tensors.Add((p + "self_attn.v_proj.weight", o.DType, [kv, o.Hidden], Rand((long)kv * o.Hidden)));
                tensors.Add((p + "mlp.gate_proj.weight", o.DType, [o.Intermediate, o.Hidden], Rand((long)o.Intermediate * o.Hidden)));
                tensors.Add((p + "mlp.up_proj.weight", o.DType, [o.Intermediate, o.Hidden], Rand((long)o.Intermediate * o.Hidden)));
            }

            if (o.ModelType == "qwen2")
            {
                tensors.Add((p + "self_attn.q_proj.bias", o.DType, [q], Rand(q)));
                tensors.Add((p + "self_attn.k_proj.bias", o.DType, [kv], Rand(kv)));
                tensors.Add((p + "self_attn.v_proj.bias", o.DType, [kv], Rand(kv)));
            }

            tensors.Add((p + "self_attn.o_proj.weight", o.DType, [o.Hidden, q], Rand((long)o.Hidden * q)));
            tensors.Add((p + "mlp.down_proj.weight", o.DType, [o.Hidden, o.Intermediate], Rand((long)o.Hidden * o.Intermediate)));
        }

        // Two shards, to exercise multi-file folders.
        var half = tensors.Count / 2;
        SafeTensorsWriter.Write(Path.Combine(folder, "model-00001-of-00002.safetensors"), tensors.Take(half).ToList());
        SafeTensorsWriter.Write(Path.Combine(folder, "model-00002-of-00002.safetensors"), tensors.Skip(half).ToList());

        var config = new Dictionary<string, object?>
        {
            ["architectures"] = new[] { "LlamaForCausalLM" },
            ["model_type"] = o.ModelType,
            ["hidden_size"] = o.Hidden,
            ["intermediate_size"] = o.Intermediate,
            ["num_hidden_layers"] = o.Layers,
            ["num_attention_heads"] = o.Heads,
            ["num_key_value_heads"] = o.KvHeads,
            ["vocab_size"] = o.Vocab,
            ["max_position_embeddings"] = o.Context,
            ["rms_norm_eps"] = 1e-5,
            ["rope_theta"] = 10000.0,
            ["rope_scaling"] = o.RopeScaling,
            ["tie_word_embeddings"] = o.Tied,
            ["bos_token_id"] = 1,
            ["eos_token_id"] = new[] { 2, 3 },
            ["torch_dtype"] = "float32",
        };
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(config));
        if (o.WriteTokenizer)
        {
            var tokenizer = ByteLevelBpeTrainer.Train("the quick brown fox jumps over the lazy dog and the cat", 270);
            File.WriteAllBytes(Path.Combine(folder, "tokenizer.json"), ByteLevelTokenizerJson.Create(tokenizer, TinyRandomModel.SpecialTokens));
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), "{\"bos_token\": \"<|begin_of_text|>\", \"eos_token\": \"<|im_end|>\"}");
            File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), "{% for m in messages %}{{ m['content'] }}{% endfor %}");
        }
    }

    public static LlamaArchitecture ArchitectureOf(string folder) =>
        AkashML.Inference.Building.Sources.HuggingFaceCheckpoint.Open(folder).Architecture;
}
