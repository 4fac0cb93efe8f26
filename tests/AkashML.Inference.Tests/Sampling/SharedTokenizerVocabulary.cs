using System.Globalization;
using System.Text.Json;

namespace AkashML.Inference.Tests.Sampling;

/// <summary>
/// Per-token text tables from the real tokenizers in ../shared/tokenizers (found beside the repository, or through
/// AKASHML_SHARED_DIR). Only SentencePiece-style vocabularies are decoded here, which is all these tests need.
/// </summary>
internal static class SharedTokenizerVocabulary
{
    public static string? FindTokenizer(string name) =>
        SharedTestData.Directory is { } shared && File.Exists(Path.Combine(shared, "tokenizers", name, "tokenizer.json"))
            ? Path.Combine(shared, "tokenizers", name, "tokenizer.json")
            : null;

    /// <summary>Token texts (▁ as space, byte-fallback tokens as their ASCII character or U+FFFD, special tokens empty) and the &lt;/s&gt; id.</summary>
    public static (string?[] Texts, int EndToken) Load(string name)
    {
        var path = FindTokenizer(name) ?? throw new FileNotFoundException($"Tokenizer {name} is not in the shared folder.");
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

/// <summary>A fact that is skipped, with the reason, when a shared tokenizer is not available.</summary>
internal sealed class SharedTokenizerFactAttribute : FactAttribute
{
    public SharedTokenizerFactAttribute(string tokenizer)
    {
        if (SharedTokenizerVocabulary.FindTokenizer(tokenizer) is null)
        {
            Skip = $"Needs ../shared/tokenizers/{tokenizer}/tokenizer.json (or AKASHML_SHARED_DIR); it is not present.";
        }
    }
}
