using System.Text;
using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tokenizers.Normalization;

/// <summary>Removes combining marks (meant to follow NFD or NFKD).</summary>
internal sealed class StripAccentsNormalizer : INormalizer
{
    public string Normalize(string text) => RemoveMarks(text, UnicodeChars.IsCombiningMark);

    /// <summary>Drops every code point the predicate selects.</summary>
    public static string RemoveMarks(string text, Func<Rune, bool> isMark)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (!isMark(rune))
            {
                sb.Append(rune.ToString());
            }
        }

        return sb.ToString();
    }
}
