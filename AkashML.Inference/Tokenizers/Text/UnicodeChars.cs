using System.Globalization;
using System.Text;

namespace AkashML.Inference.Tokenizers.Text;

/// <summary>The character predicates the reference implementation uses (Rust's <c>char</c> methods), per code point.</summary>
internal static class UnicodeChars
{
    /// <summary>Rust <c>char::is_whitespace</c>: the Unicode White_Space property.</summary>
    public static bool IsWhitespace(Rune r) => Rune.IsWhiteSpace(r);

    /// <summary>ASCII punctuation or any Unicode punctuation category (Pc, Pd, Ps, Pe, Pi, Pf, Po).</summary>
    public static bool IsPunctuation(Rune r)
    {
        if (r.IsAscii)
        {
            var c = (char)r.Value;
            if (char.IsAsciiLetterOrDigit(c) || c <= ' ' || c == '\u007F')
            {
                return false;
            }

            return true;
        }

        return Rune.IsPunctuation(r);
    }

    /// <summary>Rust <c>char::is_numeric</c>: general categories Nd, Nl and No.</summary>
    public static bool IsNumeric(Rune r) => Rune.IsNumber(r);

    /// <summary>Categories Cc, Cf, Cn, Co and Cs (the "other" group BertNormalizer removes).</summary>
    public static bool IsOther(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    /// <summary>Any mark (Mn, Mc, Me).</summary>
    public static bool IsCombiningMark(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>Unicode word character as in Rust's regex <c>\w</c>.</summary>
    public static bool IsWordCharacter(Rune r) => r.Value is '_' or 0x200C or 0x200D || Rune.IsLetterOrDigit(r)
        || Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.EnclosingMark or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.LetterNumber;

    /// <summary>.NET class body equivalent to Rust regex's Unicode <c>\w</c> (Alphabetic, marks, Nd, Pc, Join_Control).</summary>
    public const string RustWordClassBody = @"\p{L}\p{Nl}\p{M}\p{Nd}\p{Pc}\u200C\u200D";

    /// <summary>Lowercases code point by code point, like Rust's <c>char::to_lowercase</c> (no context rules).</summary>
    public static string ToLower(string text)
    {
        var lowered = text.ToLowerInvariant();
        // Rust maps U+0130 to "i" + combining dot above; .NET's invariant mapping gives a lone "i" or leaves it.
        return text.Contains('\u0130', StringComparison.Ordinal) ? LowerDottedCapitalI(text) : lowered;
    }

    private static string LowerDottedCapitalI(string text)
    {
        var sb = new StringBuilder(text.Length + 4);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value == 0x130)
            {
                sb.Append("i\u0307");
            }
            else
            {
                sb.Append(Rune.ToLowerInvariant(rune).ToString());
            }
        }

        return sb.ToString();
    }
}
