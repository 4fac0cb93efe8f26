using System.Text.Json;

namespace AkashML.Inference.Building.Tokenizers;

/// <summary>Writes a byte-level BPE as a Hugging Face tokenizer.json (GPT-2/Qwen2 layout), special tokens appended after the learned vocabulary.</summary>
public static class ByteLevelTokenizerJson
{
    public static byte[] Create(ByteLevelBpeModel model, IReadOnlyList<string> specialTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(specialTokens);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, SentencePieceBpeConverter.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteNull("truncation");
            json.WriteNull("padding");
            json.WriteStartArray("added_tokens");
            for (var i = 0; i < specialTokens.Count; i++)
            {
                SentencePieceBpeConverter.WriteAddedToken(json, model.Tokens.Count + i, specialTokens[i], special: true);
            }

            json.WriteEndArray();
            json.WriteNull("normalizer");
            WriteByteLevel(json, "pre_tokenizer", addPrefixSpace: false, trimOffsets: true);
            WriteByteLevel(json, "post_processor", addPrefixSpace: true, trimOffsets: false);
            WriteByteLevel(json, "decoder", addPrefixSpace: true, trimOffsets: true);
            json.WriteStartObject("model");
            json.WriteString("type", "BPE");
            json.WriteNull("dropout");
            json.WriteNull("unk_token");
            json.WriteString("continuing_subword_prefix", string.Empty);
            json.WriteString("end_of_word_suffix", string.Empty);
            json.WriteBoolean("fuse_unk", false);
            json.WriteBoolean("byte_fallback", false);
            json.WriteBoolean("ignore_merges", false);
            json.WriteStartObject("vocab");
            for (var id = 0; id < model.Tokens.Count; id++)
            {
                json.WriteNumber(model.Tokens[id], id);
            }

            json.WriteEndObject();
            json.WriteStartArray("merges");
            foreach (var (left, right) in model.Merges)
            {
                json.WriteStringValue(left + " " + right);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WriteByteLevel(Utf8JsonWriter json, string name, bool addPrefixSpace, bool trimOffsets)
    {
        json.WriteStartObject(name);
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", addPrefixSpace);
        json.WriteBoolean("trim_offsets", trimOffsets);
        json.WriteBoolean("use_regex", true);
        json.WriteEndObject();
    }
}
