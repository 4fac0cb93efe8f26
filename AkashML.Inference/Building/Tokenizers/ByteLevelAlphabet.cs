using System.Text;
using System.Text.RegularExpressions;

namespace AkashML.Inference.Building.Tokenizers;

/// <summary>
/// GPT-2's byte-level alphabet: every byte maps to one printable character (printable Latin-1 bytes to themselves,
/// the rest to U+0100 onwards), plus the pre-tokenization pattern of the ByteLevel pre-tokenizer (use_regex = true).
/// </summary>
public static partial class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = CreateTable();

    /// <summary>The character that stands for a byte.</summary>
    public static char Map(byte value) => ByteToChar[value];

    /// <summary>Splits text as the ByteLevel pre-tokenizer does.</summary>
    public static IEnumerable<string> PreTokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match match in Gpt2Pattern().Matches(text))
        {
            yield return match.Value;
        }
    }

    /// <summary>The UTF-8 bytes of a chunk written in the byte-level alphabet.</summary>
    public static string Encode(string chunk)
    {
        var bytes = Encoding.UTF8.GetBytes(chunk);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToChar[bytes[i]];
        }

        return new string(chars);
    }

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Gpt2Pattern();

    private static char[] CreateTable()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)next++;
        }

        return table;
    }
}
