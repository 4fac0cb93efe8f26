using System.Text;
using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tokenizers.Normalization;

/// <summary>BERT's normalizer: clean control characters, pad CJK ideographs with spaces, strip accents, lowercase.</summary>
internal sealed class BertNormalizer(bool cleanText, bool handleChineseChars, bool? stripAccents, bool lowercase) : INormalizer
{
    public string Normalize(string text)
    {
        if (cleanText || handleChineseChars)
        {
            var sb = new StringBuilder(text.Length + 8);
            foreach (var rune in text.EnumerateRunes())
            {
                if (cleanText)
                {
                    if (rune.Value is 0 or 0xFFFD || IsControl(rune))
                    {
                        continue;
                    }

                    if (UnicodeChars.IsWhitespace(rune))
                    {
                        sb.Append(' ');
                        continue;
                    }
                }

                if (handleChineseChars && IsChineseChar(rune.Value))
                {
                    sb.Append(' ').Append(rune.ToString()).Append(' ');
                }
                else
                {
                    sb.Append(rune.ToString());
                }
            }

            text = sb.ToString();
        }

        if (stripAccents ?? lowercase)
        {
            text = StripAccentsNormalizer.RemoveMarks(text.Normalize(NormalizationForm.FormD),
                static r => Rune.GetUnicodeCategory(r) == System.Globalization.UnicodeCategory.NonSpacingMark);
        }

        return lowercase ? UnicodeChars.ToLower(text) : text;
    }

    private static bool IsControl(Rune rune) => rune.Value is not ('\t' or '\n' or '\r') && UnicodeChars.IsOther(rune);

    private static bool IsChineseChar(int c) =>
        c is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B920 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
