using System.Text.Encodings.Web;
using System.Text.Json;

namespace AkashML.Inference.Building.Tokenizers;

/// <summary>
/// Turns a scored SentencePiece BPE vocabulary into a Hugging Face <c>tokenizer.json</c> that tokenizes exactly as
/// llama2.c's encoder does. llama2.c repeatedly merges the adjacent pair whose concatenation is the highest-scoring
/// vocabulary entry; HF BPE repeatedly applies the lowest-ranked listed merge. So every way of splitting a vocabulary
/// entry into two vocabulary entries becomes a merge, ranked by the entry's score (highest first). The dummy prefix
/// (a leading space for non-empty text) becomes a Prepend normalizer, BOS a template post-processor, and characters
/// outside the vocabulary fall back to byte tokens.
/// </summary>
public static class SentencePieceBpeConverter
{
    /// <summary>The merges, in rank order, as (left, right) piece pairs.</summary>
    public static IReadOnlyList<(string Left, string Right)> DeriveMerges(SentencePieceVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var mergeable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var piece in vocabulary.Pieces)
        {
            if (piece.Kind is PieceKind.Normal or PieceKind.UserDefined)
            {
                mergeable.Add(piece.Piece);
            }
        }

        var ordered = vocabulary.Pieces
            .Select((piece, id) => (piece, id))
            .Where(p => p.piece.Kind == PieceKind.Normal && p.piece.Piece.Length > 1)
            .OrderByDescending(p => p.piece.Score)
            .ThenBy(p => p.id);
        var merges = new List<(string, string)>();
        foreach (var (piece, _) in ordered)
        {
            var text = piece.Piece;
            for (var split = 1; split < text.Length; split++)
            {
                if (char.IsLowSurrogate(text[split]))
                {
                    continue;
                }

                var left = text[..split];
                var right = text[split..];
                if (mergeable.Contains(left) && mergeable.Contains(right))
                {
                    merges.Add((left, right));
                }
            }
        }

        return merges;
    }

    /// <summary>Writes tokenizer.json (UTF-8, indented).</summary>
    public static byte[] CreateTokenizerJson(SentencePieceVocabulary vocabulary, int bosId, int unkId)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var pieces = vocabulary.Pieces;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var piece in pieces)
        {
            if (!seen.Add(piece.Piece))
            {
                throw new ModelBuildException($"Tokenizer vocabulary holds '{piece.Piece}' twice.");
            }
        }

        var merges = DeriveMerges(vocabulary);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteNull("truncation");
            json.WriteNull("padding");
            json.WriteStartArray("added_tokens");
            for (var id = 0; id < pieces.Count; id++)
            {
                if (pieces[id].Kind is PieceKind.Unknown or PieceKind.Control or PieceKind.UserDefined)
                {
                    WriteAddedToken(json, id, pieces[id].Piece, pieces[id].Kind != PieceKind.UserDefined);
                }
            }

            json.WriteEndArray();

            json.WriteStartObject("normalizer");
            json.WriteString("type", "Sequence");
            json.WriteStartArray("normalizers");
            json.WriteStartObject();
            json.WriteString("type", "Prepend");
            json.WriteString("prepend", "\u2581");
            json.WriteEndObject();
            WriteReplace(json, " ", "\u2581");
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteNull("pre_tokenizer");

            var bos = pieces[bosId].Piece;
            json.WriteStartObject("post_processor");
            json.WriteString("type", "TemplateProcessing");
            json.WriteStartArray("single");
            WriteSpecial(json, bos);
            WriteSequence(json, "A");
            json.WriteEndArray();
            json.WriteStartArray("pair");
            WriteSpecial(json, bos);
            WriteSequence(json, "A");
            WriteSpecial(json, bos);
            WriteSequence(json, "B");
            json.WriteEndArray();
            json.WriteStartObject("special_tokens");
            json.WriteStartObject(bos);
            json.WriteString("id", bos);
            json.WriteStartArray("ids");
            json.WriteNumberValue(bosId);
            json.WriteEndArray();
            json.WriteStartArray("tokens");
            json.WriteStringValue(bos);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject("decoder");
            json.WriteString("type", "Sequence");
            json.WriteStartArray("decoders");
            WriteReplace(json, "\u2581", " ");
            json.WriteStartObject();
            json.WriteString("type", "ByteFallback");
            json.WriteEndObject();
            json.WriteStartObject();
            json.WriteString("type", "Fuse");
            json.WriteEndObject();
            json.WriteStartObject();
            json.WriteString("type", "Strip");
            json.WriteString("content", " ");
            json.WriteNumber("start", 1);
            json.WriteNumber("stop", 0);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartObject("model");
            json.WriteString("type", "BPE");
            json.WriteNull("dropout");
            json.WriteString("unk_token", pieces[unkId].Piece);
            json.WriteNull("continuing_subword_prefix");
            json.WriteNull("end_of_word_suffix");
            json.WriteBoolean("fuse_unk", true);
            json.WriteBoolean("byte_fallback", true);
            json.WriteBoolean("ignore_merges", false);
            json.WriteStartObject("vocab");
            for (var id = 0; id < pieces.Count; id++)
            {
                json.WriteNumber(pieces[id].Piece, id);
            }

            json.WriteEndObject();
            json.WriteStartArray("merges");
            foreach (var (left, right) in merges)
            {
                json.WriteStringValue(left + " " + right);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    internal static JsonWriterOptions JsonOptions { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static void WriteAddedToken(Utf8JsonWriter json, int id, string content, bool special)
    {
        json.WriteStartObject();
        json.WriteNumber("id", id);
        json.WriteString("content", content);
        json.WriteBoolean("single_word", false);
        json.WriteBoolean("lstrip", false);
        json.WriteBoolean("rstrip", false);
        json.WriteBoolean("normalized", false);
        json.WriteBoolean("special", special);
        json.WriteEndObject();
    }

    private static void WriteReplace(Utf8JsonWriter json, string pattern, string content)
    {
        json.WriteStartObject();
        json.WriteString("type", "Replace");
        json.WriteStartObject("pattern");
        json.WriteString("String", pattern);
        json.WriteEndObject();
        json.WriteString("content", content);
        json.WriteEndObject();
    }

    private static void WriteSpecial(Utf8JsonWriter json, string id)
    {
        json.WriteStartObject();
        json.WriteStartObject("SpecialToken");
        json.WriteString("id", id);
        json.WriteNumber("type_id", 0);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteSequence(Utf8JsonWriter json, string id)
    {
        json.WriteStartObject();
        json.WriteStartObject("Sequence");
        json.WriteString("id", id);
        json.WriteNumber("type_id", 0);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Writes tokenizer_config.json for a llama2.c model: BOS added, a plain-concatenation chat template.</summary>
    public static byte[] CreateTokenizerConfigJson(SentencePieceVocabulary vocabulary, int bosId, int eosId, int unkId, int contextLength)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteBoolean("add_bos_token", true);
            json.WriteBoolean("add_eos_token", false);
            json.WriteString("bos_token", vocabulary.Pieces[bosId].Piece);
            json.WriteString("eos_token", vocabulary.Pieces[eosId].Piece);
            json.WriteString("unk_token", vocabulary.Pieces[unkId].Piece);
            json.WriteNull("pad_token");
            json.WriteBoolean("clean_up_tokenization_spaces", false);
            json.WriteBoolean("legacy", true);
            json.WriteNumber("model_max_length", contextLength);
            json.WriteString("tokenizer_class", "LlamaTokenizer");
            json.WriteString("chat_template", StoryChatTemplate);
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>
    /// llama2.c models are story completers, not chat models: the template writes BOS, then the text of the user and
    /// assistant messages (system messages are left out), one per line, so a chat request continues the text exactly
    /// as llama2.c's own prompt would.
    /// </summary>
    public const string StoryChatTemplate =
        "{{ bos_token }}{% for message in messages %}{% if message['role'] != 'system' %}"
        + "{% if message['content'] is string %}{{ message['content'] | trim }}"
        + "{% else %}{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}{% endif %}"
        + "{% if not loop.last %}{{ '\\n' }}{% endif %}{% endif %}{% endfor %}";
}
