using System.Text.Json;
using AkashML.Inference.Building.Tokenizers;

namespace AkashML.Inference.Building.Llama;

/// <summary>
/// Writes genai_config.json the way ONNX Runtime GenAI's model builder does for a CPU decoder with
/// GroupQueryAttention: separate key/value cache names, a shared past/present buffer, greedy search defaults.
/// </summary>
public static class GenAiConfigWriter
{
    public static byte[] Create(LlamaArchitecture architecture, string modelFileName = "model.onnx")
    {
        ArgumentNullException.ThrowIfNull(architecture);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, SentencePieceBpeConverter.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("model");
            json.WriteNumber("bos_token_id", architecture.BosTokenId);
            json.WriteNumber("context_length", architecture.ContextLength);
            json.WriteStartObject("decoder");
            json.WriteStartObject("session_options");
            json.WriteString("log_id", "onnxruntime-genai");
            json.WriteStartArray("provider_options");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("filename", modelFileName);
            json.WriteNumber("head_size", architecture.HeadSize);
            json.WriteNumber("hidden_size", architecture.HiddenSize);
            json.WriteStartObject("inputs");
            json.WriteString("input_ids", "input_ids");
            json.WriteString("attention_mask", "attention_mask");
            json.WriteString("past_key_names", "past_key_values.%d.key");
            json.WriteString("past_value_names", "past_key_values.%d.value");
            json.WriteEndObject();
            json.WriteStartObject("outputs");
            json.WriteString("logits", "logits");
            json.WriteString("present_key_names", "present.%d.key");
            json.WriteString("present_value_names", "present.%d.value");
            json.WriteEndObject();
            json.WriteNumber("num_attention_heads", architecture.HeadCount);
            json.WriteNumber("num_hidden_layers", architecture.LayerCount);
            json.WriteNumber("num_key_value_heads", architecture.KeyValueHeadCount);
            json.WriteEndObject();
            if (architecture.EosTokenIds.Count == 1)
            {
                json.WriteNumber("eos_token_id", architecture.EosTokenIds[0]);
            }
            else
            {
                json.WriteStartArray("eos_token_id");
                foreach (var id in architecture.EosTokenIds)
                {
                    json.WriteNumberValue(id);
                }

                json.WriteEndArray();
            }

            json.WriteNumber("pad_token_id", architecture.PadTokenId);
            json.WriteString("type", architecture.ModelType);
            json.WriteNumber("vocab_size", architecture.VocabularySize);
            json.WriteEndObject();

            json.WriteStartObject("search");
            json.WriteNumber("diversity_penalty", 0.0);
            json.WriteBoolean("do_sample", false);
            json.WriteBoolean("early_stopping", true);
            json.WriteNumber("length_penalty", 1.0);
            json.WriteNumber("max_length", architecture.ContextLength);
            json.WriteNumber("min_length", 0);
            json.WriteNumber("no_repeat_ngram_size", 0);
            json.WriteNumber("num_beams", 1);
            json.WriteNumber("num_return_sequences", 1);
            json.WriteBoolean("past_present_share_buffer", true);
            json.WriteNumber("repetition_penalty", 1.0);
            json.WriteNumber("temperature", 1.0);
            json.WriteNumber("top_k", 1);
            json.WriteNumber("top_p", 1.0);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }
}
