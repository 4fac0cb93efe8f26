using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AkashML.Inference.Tokenizers.Text;

/// <summary>
/// Translates the Oniguruma (Ruby syntax) regular expressions found in tokenizer.json into .NET syntax.
/// </summary>
/// <remarks>
/// Differences handled: Unicode <c>\w</c> (Oniguruma: letters, marks, numbers, connector punctuation), <c>\h</c> (hex digit, not horizontal space),
/// possessive quantifiers (<c>a*+</c> becomes an atomic group), <c>\x{...}</c> escapes, script properties such as
/// <c>\p{Han}</c>, Ruby's <c>(?m)</c> (dot matches newline, .NET's <c>s</c>) and <c>\p{^L}</c> negation.
/// </remarks>
internal static class OnigurumaPattern
{
    private const string WordClassBody = @"\p{L}\p{M}\p{N}\p{Pc}";
    private const string HexClassBody = "0-9a-fA-F";

    private static readonly HashSet<string> GeneralCategories = new(StringComparer.Ordinal)
    {
        "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
        "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So",
        "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co", "Cn",
    };

    private static readonly Dictionary<string, string> PropertyAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Letter"] = @"\p{L}",
        ["Alpha"] = @"\p{L}\p{M}",
        ["Alphabetic"] = @"\p{L}\p{M}",
        ["Mark"] = @"\p{M}",
        ["Number"] = @"\p{N}",
        ["Digit"] = @"\p{Nd}",
        ["Punct"] = @"\p{P}",
        ["Punctuation"] = @"\p{P}",
        ["Symbol"] = @"\p{S}",
        ["Space"] = @"\s",
        ["White_Space"] = @"\s",
        ["Upper"] = @"\p{Lu}",
        ["Uppercase_Letter"] = @"\p{Lu}",
        ["Lower"] = @"\p{Ll}",
        ["Lowercase_Letter"] = @"\p{Ll}",
        ["Word"] = WordClassBody,
        ["Alnum"] = @"\p{L}\p{M}\p{Nd}",
        ["Han"] = @"\u2E80-\u2E99\u2E9B-\u2EF3\u2F00-\u2FD5\u3005\u3007\u3021-\u3029\u3038-\u303B\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFA6D\uFA70-\uFAD9",
        ["Hiragana"] = @"\u3041-\u3096\u309D-\u309F",
        ["Katakana"] = @"\u30A1-\u30FA\u30FD-\u30FF\u31F0-\u31FF\u32D0-\u32FE\u3300-\u3357\uFF66-\uFF6F\uFF71-\uFF9D",
        ["Hangul"] = @"\u1100-\u11FF\u302E\u302F\u3131-\u318E\u3200-\u321E\u3260-\u327E\uA960-\uA97C\uAC00-\uD7A3\uD7B0-\uD7C6\uD7CB-\uD7FB\uFFA0-\uFFDC",
        ["Latin"] = @"A-Za-z\u00AA\u00BA\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02B8\u1E00-\u1EFF\u2C60-\u2C7F\uA720-\uA7FF\uFF21-\uFF3A\uFF41-\uFF5A",
        ["Greek"] = @"\u0370-\u0373\u0375-\u0377\u037A-\u037D\u037F\u0384\u0386\u0388-\u03E1\u03F0-\u03FF\u1F00-\u1FFE",
        ["Cyrillic"] = @"\u0400-\u052F\u1C80-\u1C88\u2DE0-\u2DFF\uA640-\uA69F",
        ["Arabic"] = @"\u0600-\u0604\u0606-\u060B\u060D-\u061A\u061C-\u061E\u0620-\u063F\u0641-\u064A\u0656-\u066F\u0671-\u06DC\u06DE-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFC",
        ["Hebrew"] = @"\u0591-\u05C7\u05D0-\u05EA\u05EF-\u05F4\uFB1D-\uFB4F",
        ["Thai"] = @"\u0E01-\u0E3A\u0E40-\u0E5B",
        ["Devanagari"] = @"\u0900-\u097F\uA8E0-\uA8FF",
    };

    /// <summary>Returns the .NET equivalent of an Oniguruma pattern.</summary>
    /// <exception cref="TokenizerFormatException">The pattern uses a construct with no .NET equivalent here.</exception>
    public static string Translate(string pattern)
    {
        var output = new StringBuilder(pattern.Length + 16);
        var groupStarts = new Stack<int>();
        var lastAtomStart = -1;
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\':
                    lastAtomStart = output.Length;
                    i = TranslateEscape(pattern, i, output, inClass: false);
                    break;
                case '[':
                    lastAtomStart = output.Length;
                    i = TranslateClass(pattern, i, output);
                    break;
                case '(':
                    groupStarts.Push(output.Length);
                    i = TranslateGroupOpening(pattern, i, output);
                    lastAtomStart = -1;
                    break;
                case ')':
                    if (groupStarts.Count == 0)
                    {
                        throw Unsupported(pattern, "unbalanced ')'");
                    }

                    lastAtomStart = groupStarts.Pop();
                    output.Append(')');
                    i++;
                    break;
                case '*' or '+' or '?' or '{':
                    i = TranslateQuantifier(pattern, i, output, lastAtomStart);
                    break;
                default:
                    lastAtomStart = output.Length;
                    output.Append(c);
                    i++;
                    break;
            }
        }

        if (groupStarts.Count != 0)
        {
            throw Unsupported(pattern, "unbalanced '('");
        }

        return output.ToString();
    }

    private static int TranslateQuantifier(string pattern, int i, StringBuilder output, int atomStart)
    {
        var start = i;
        var isInterval = false;
        if (pattern[i] == '{')
        {
            var close = pattern.IndexOf('}', i);
            if (close < 0 || !IsInterval(pattern.AsSpan(i + 1, close - i - 1)))
            {
                // A '{' that does not start an interval is a literal in Oniguruma.
                output.Append(@"\{");
                return i + 1;
            }

            i = close + 1;
            isInterval = true;
        }
        else
        {
            i++;
        }

        var quantifier = pattern[start..i];
        if (i < pattern.Length && pattern[i] == '+' && atomStart >= 0)
        {
            // Ruby syntax: "x*+" is possessive; "x{n,m}+" repeats the interval group.
            output.Append(quantifier);
            var atom = output.ToString(atomStart, output.Length - atomStart);
            output.Length = atomStart;
            output.Append(isInterval ? "(?:" + atom + ")+" : "(?>" + atom + ")");
            return i + 1;
        }

        output.Append(quantifier);
        if (i < pattern.Length && pattern[i] == '?')
        {
            output.Append('?');
            i++;
        }

        return i;
    }

    private static bool IsInterval(ReadOnlySpan<char> body)
    {
        if (body.IsEmpty)
        {
            return false;
        }

        var sawDigit = false;
        var commas = 0;
        foreach (var ch in body)
        {
            if (ch == ',')
            {
                commas++;
            }
            else if (char.IsAsciiDigit(ch))
            {
                sawDigit = true;
            }
            else
            {
                return false;
            }
        }

        return sawDigit && commas <= 1;
    }

    private static int TranslateGroupOpening(string pattern, int i, StringBuilder output)
    {
        output.Append('(');
        i++;
        if (i >= pattern.Length || pattern[i] != '?')
        {
            return i;
        }

        output.Append('?');
        i++;
        // Inline options such as (?i), (?m:...), (?-i): Ruby's 'm' is .NET's 's' (dot matches newline).
        var j = i;
        while (j < pattern.Length && (pattern[j] is 'i' or 'm' or 'x' or '-'))
        {
            j++;
        }

        if (j > i && j < pattern.Length && pattern[j] is ':' or ')')
        {
            for (var k = i; k < j; k++)
            {
                output.Append(pattern[k] == 'm' ? 's' : pattern[k]);
            }

            return j;
        }

        return i;
    }

    private static int TranslateClass(string pattern, int i, StringBuilder output)
    {
        output.Append('[');
        i++;
        if (i < pattern.Length && pattern[i] == '^')
        {
            output.Append('^');
            i++;
        }

        // A ']' right after '[' or '[^' is a literal.
        if (i < pattern.Length && pattern[i] == ']')
        {
            output.Append(@"\]");
            i++;
        }

        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (c == ']')
            {
                output.Append(']');
                return i + 1;
            }

            if (c == '\\')
            {
                i = TranslateEscape(pattern, i, output, inClass: true);
                continue;
            }

            if (c == '[')
            {
                var posix = TryTranslatePosixClass(pattern, i, output);
                if (posix < 0)
                {
                    throw Unsupported(pattern, "nested character classes");
                }

                i = posix;
                continue;
            }

            if (c == '&' && i + 1 < pattern.Length && pattern[i + 1] == '&')
            {
                throw Unsupported(pattern, "character class intersection '&&'");
            }

            output.Append(c);
            i++;
        }

        throw Unsupported(pattern, "unterminated character class");
    }

    private static int TryTranslatePosixClass(string pattern, int i, StringBuilder output)
    {
        if (i + 1 >= pattern.Length || pattern[i + 1] != ':')
        {
            return -1;
        }

        var end = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
        if (end < 0)
        {
            return -1;
        }

        var name = pattern[(i + 2)..end];
        var body = name switch
        {
            "alpha" => @"\p{L}\p{M}",
            "digit" => @"\p{Nd}",
            "alnum" => @"\p{L}\p{M}\p{Nd}",
            "space" => @"\s",
            "upper" => @"\p{Lu}",
            "lower" => @"\p{Ll}",
            "punct" => @"\p{P}",
            "xdigit" => HexClassBody,
            "word" => WordClassBody,
            _ => null,
        };
        if (body is null)
        {
            return -1;
        }

        output.Append(body);
        return end + 2;
    }

    private static int TranslateEscape(string pattern, int i, StringBuilder output, bool inClass)
    {
        if (i + 1 >= pattern.Length)
        {
            throw Unsupported(pattern, "trailing backslash");
        }

        var e = pattern[i + 1];
        switch (e)
        {
            case 'p' or 'P':
                return TranslateProperty(pattern, i, output, inClass);
            case 'w':
                output.Append(inClass ? WordClassBody : "[" + WordClassBody + "]");
                return i + 2;
            case 'W':
                output.Append(inClass ? @"\W" : "[^" + WordClassBody + "]");
                return i + 2;
            case 'h':
                output.Append(inClass ? HexClassBody : "[" + HexClassBody + "]");
                return i + 2;
            case 'H':
                output.Append(inClass ? throw Unsupported(pattern, @"\H inside a class") : "[^" + HexClassBody + "]");
                return i + 2;
            case 'x' when i + 2 < pattern.Length && pattern[i + 2] == '{':
                {
                    var close = pattern.IndexOf('}', i + 3);
                    if (close < 0 || !int.TryParse(pattern.AsSpan(i + 3, close - i - 3), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)
                        || code < 0 || code > 0x10FFFF)
                    {
                        throw Unsupported(pattern, @"malformed \x{...}");
                    }

                    if (code <= 0xFFFF)
                    {
                        output.Append(CultureInfo.InvariantCulture, $"\\u{code:X4}");
                    }
                    else if (inClass)
                    {
                        throw Unsupported(pattern, "supplementary-plane code points inside a class");
                    }
                    else
                    {
                        output.Append("(?:").Append(Regex.Escape(char.ConvertFromUtf32(code))).Append(')');
                    }

                    return close + 1;
                }

            case 'R' when !inClass:
                output.Append(@"(?:\r\n|[\n\v\f\r\u0085\u2028\u2029])");
                return i + 2;
            case 'K' or 'X' or 'g' or 'k' or 'y' or 'Y' or 'O' or 'N':
                throw Unsupported(pattern, "\\" + e);
            default:
                output.Append('\\').Append(e);
                return i + 2;
        }
    }

    private static int TranslateProperty(string pattern, int i, StringBuilder output, bool inClass)
    {
        var negated = pattern[i + 1] == 'P';
        if (i + 2 >= pattern.Length || pattern[i + 2] != '{')
        {
            // \pL short form.
            if (i + 2 >= pattern.Length)
            {
                throw Unsupported(pattern, @"malformed \p");
            }

            output.Append('\\').Append(pattern[i + 1]).Append('{').Append(pattern[i + 2]).Append('}');
            return i + 3;
        }

        var close = pattern.IndexOf('}', i + 3);
        if (close < 0)
        {
            throw Unsupported(pattern, @"malformed \p{...}");
        }

        var name = pattern[(i + 3)..close];
        if (name.StartsWith('^'))
        {
            negated = !negated;
            name = name[1..];
        }

        if (GeneralCategories.Contains(name))
        {
            output.Append(negated ? @"\P{" : @"\p{").Append(name).Append('}');
            return close + 1;
        }

        if (!PropertyAliases.TryGetValue(name, out var body))
        {
            throw Unsupported(pattern, $"unknown property \\p{{{name}}}");
        }

        if (negated && inClass)
        {
            throw Unsupported(pattern, $"negated property \\P{{{name}}} inside a class");
        }

        output.Append(inClass ? body : (negated ? "[^" : "[") + body + "]");
        return close + 1;
    }

    private static TokenizerFormatException Unsupported(string pattern, string what) =>
        new($"Regular expression '{pattern}' uses {what}, which is not supported.");
}
