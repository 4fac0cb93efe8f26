using System.Globalization;
using System.Text.Json;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Sampling;

/// <summary>
/// Per-token text tables from the real tokenizers in ../shared/tokenizers (found beside the repository, or through
/// AKASHML_SHARED_DIR). Only SentencePiece-style vocabularies are decoded here, which is all these tests need.
/// </summary>
internal static class SharedTokenizerVocabulary
{
    /// <summary>Token texts (▁ as space, byte-fallback tokens as their ASCII character or U+FFFD, special tokens empty) and the &lt;/s&gt; id.</summary>
    public static (string?[] Texts, int EndToken) Load(string name)
    {
        var path = SharedTestData.PathOf($"tokenizers/{name}/tokenizer.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var vocabulary = document.RootElement.GetProperty("model").GetProperty("vocab");
        var texts = new string?[vocabulary.EnumerateObject().Count()];
        foreach (var entry in vocabulary.EnumerateObject())
        {
            texts[entry.Value.GetInt32()] = Decode(entry.Name);
        }

        var end = -1;
        foreach (var added in document.RootElement.GetProperty("added_tokens").EnumerateArray())
        {
            var id = added.GetProperty("id").GetInt32();
            if (id < texts.Length)
            {
                texts[id] = string.Empty;
            }

            if (added.GetProperty("content").GetString() == "</s>")
            {
                end = id;
            }
        }

        return (texts, end);
    }

    private static string Decode(string piece)
    {
        if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece.EndsWith('>'))
        {
            var value = byte.Parse(piece.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return value < 0x80 ? ((char)value).ToString() : "\uFFFD";
        }

        return piece.Replace('\u2581', ' ');
    }
}
