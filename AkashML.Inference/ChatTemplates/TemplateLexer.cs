using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// Splits template source into text and tag tokens, applying whitespace control the way Hugging Face transformers
/// configures Jinja: <c>trim_blocks=True</c> (the first newline after a block or comment tag is dropped),
/// <c>lstrip_blocks=True</c> (spaces and tabs before a block or comment tag at the start of a line are dropped,
/// unless the tag opens with <c>+</c>), <c>-</c> on either side of any tag strips all adjacent whitespace, and a
/// single trailing newline of the template is dropped (<c>keep_trailing_newline=False</c>).
/// </summary>
internal static partial class TemplateLexer
{
    public static List<Token> Tokenize(string source, SourceMap map)
    {
        var tokens = new List<Token>();
        var pos = 0;
        var lineStarting = true;
        var stripNextText = false;
        var length = source.Length;

        while (pos < length)
        {
            var open = FindTagOpen(source, pos);
            var textEnd = open < 0 ? length : open;
            var text = source[pos..textEnd];
            if (stripNextText)
            {
                text = text.TrimStart();
                stripNextText = false;
            }

            if (open < 0)
            {
                AddText(tokens, text, pos);
                break;
            }

            var kind = source[open + 1];
            var afterOpen = open + 2;
            var modifier = afterOpen < length ? source[afterOpen] : '\0';
            if (modifier == '-')
            {
                text = text.TrimEnd();
                afterOpen++;
            }
            else if (modifier == '+' && kind != '{')
            {
                afterOpen++;
            }
            else if (kind != '{')
            {
                text = LstripBeforeTag(text, lineStarting);
            }

            AddText(tokens, text, pos);

            if (kind == '#')
            {
                var close = source.IndexOf("#}", afterOpen, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw Error(map, open, "Unclosed comment: '{#' has no matching '#}'");
                }

                pos = FinishTag(source, close, 2, ref stripNextText, trimNewline: true, out lineStarting);
                continue;
            }

            var isBlock = kind == '%';
            tokens.Add(new Token(isBlock ? TokenKind.BlockBegin : TokenKind.VariableBegin, isBlock ? "{%" : "{{", open));
            var firstExpressionToken = tokens.Count;
            pos = LexExpression(source, afterOpen, isBlock, tokens, map, open, out var closeStart, out var closeLength);
            tokens.Add(new Token(isBlock ? TokenKind.BlockEnd : TokenKind.VariableEnd, isBlock ? "%}" : "}}", closeStart));
            pos = FinishTag(source, closeStart, closeLength, ref stripNextText, trimNewline: isBlock, out lineStarting);

            if (isBlock && tokens.Count == firstExpressionToken + 2 && tokens[firstExpressionToken].IsName("raw"))
            {
                pos = LexRaw(source, pos, tokens, map, open, ref stripNextText, out lineStarting);
            }
        }

        tokens.Add(new Token(TokenKind.End, string.Empty, length));
        return tokens;
    }

    private static int FindTagOpen(string source, int from)
    {
        var i = from;
        while (true)
        {
            i = source.IndexOf('{', i);
            if (i < 0 || i + 1 >= source.Length)
            {
                return -1;
            }

            var next = source[i + 1];
            if (next is '{' or '%' or '#')
            {
                return i;
            }

            i++;
        }
    }

    private static void AddText(List<Token> tokens, string text, int offset)
    {
        if (text.Length > 0)
        {
            tokens.Add(new Token(TokenKind.Text, text, offset));
        }
    }

    private static string LstripBeforeTag(string text, bool lineStarting)
    {
        var lastNewline = text.LastIndexOf('\n');
        if (lastNewline < 0 && !lineStarting)
        {
            return text;
        }

        for (var i = lastNewline + 1; i < text.Length; i++)
        {
            if (text[i] is not (' ' or '\t'))
            {
                return text;
            }
        }

        return text[..(lastNewline + 1)];
    }

    /// <summary>Moves past a closing delimiter at <paramref name="close"/>, handling '-' and trim_blocks.</summary>
    private static int FinishTag(string source, int close, int closeLength, ref bool stripNextText, bool trimNewline, out bool lineStarting)
    {
        var minus = close > 0 && source[close - 1] == '-';
        var plus = close > 0 && source[close - 1] == '+';
        var pos = close + closeLength;
        lineStarting = false;
        if (minus)
        {
            stripNextText = true;
            var scan = pos;
            while (scan < source.Length && char.IsWhiteSpace(source[scan]))
            {
                scan++;
            }

            lineStarting = scan > pos && source[scan - 1] == '\n';
            return pos;
        }

        if (trimNewline && !plus && pos < source.Length && source[pos] == '\n')
        {
            lineStarting = true;
            return pos + 1;
        }

        return pos;
    }

    private static int LexRaw(string source, int pos, List<Token> tokens, SourceMap map, int open, ref bool stripNextText, out bool lineStarting)
    {
        var match = EndRawPattern().Match(source, pos);
        if (!match.Success)
        {
            throw Error(map, open, "Unclosed raw block: '{% raw %}' has no matching '{% endraw %}'");
        }

        // Drop the "raw" block begin and name tokens that were just added: raw is handled here entirely.
        tokens.RemoveRange(tokens.Count - 3, 3);
        var text = source[pos..match.Index];
        if (stripNextText)
        {
            text = text.TrimStart();
            stripNextText = false;
        }

        text = match.Groups[1].Value == "-" ? text.TrimEnd() : LstripBeforeTag(text, false);
        AddText(tokens, text, pos);
        var closeStart = match.Index + match.Length - 2;
        return FinishTag(source, closeStart, 2, ref stripNextText, trimNewline: true, out lineStarting);
    }

    private static int LexExpression(string source, int pos, bool isBlock, List<Token> tokens, SourceMap map, int open, out int closeStart, out int closeLength)
    {
        var depth = 0;
        var length = source.Length;
        var closeChar = isBlock ? '%' : '}';
        while (true)
        {
            while (pos < length && char.IsWhiteSpace(source[pos]))
            {
                pos++;
            }

            if (pos >= length)
            {
                throw Error(map, open, isBlock ? "Unclosed tag: '{%' has no matching '%}'" : "Unclosed tag: '{{' has no matching '}}'");
            }

            var c = source[pos];
            if (depth == 0)
            {
                if (c == closeChar && pos + 1 < length && source[pos + 1] == '}')
                {
                    closeStart = pos;
                    closeLength = 2;
                    return pos + 2;
                }

                if (c is '-' or '+' && pos + 2 < length && source[pos + 1] == closeChar && source[pos + 2] == '}' && (c == '-' || isBlock))
                {
                    closeStart = pos + 1;
                    closeLength = 2;
                    return pos + 3;
                }

                if (!isBlock && c == '%' && pos + 1 < length && source[pos + 1] == '}')
                {
                    throw Error(map, pos, "Unexpected '%}' inside '{{ ... }}'");
                }

                if (isBlock && c == '}' && pos + 1 < length && source[pos + 1] == '}')
                {
                    throw Error(map, pos, "Unexpected '}}' inside '{% ... %}'");
                }
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = pos;
                while (pos < length && (char.IsAsciiLetterOrDigit(source[pos]) || source[pos] == '_'))
                {
                    pos++;
                }

                tokens.Add(new Token(TokenKind.Name, source[start..pos], start));
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                pos = LexNumber(source, pos, tokens, map);
                continue;
            }

            if (c is '\'' or '"')
            {
                pos = LexString(source, pos, tokens, map);
                continue;
            }

            var op = MatchOperator(source, pos);
            if (op is null)
            {
                throw Error(map, pos, $"Unexpected character '{c}'");
            }

            if (op is "(" or "[" or "{")
            {
                depth++;
            }
            else if (op is ")" or "]" or "}")
            {
                if (depth == 0)
                {
                    throw Error(map, pos, $"Unexpected '{op}'");
                }

                depth--;
            }

            tokens.Add(new Token(TokenKind.Operator, op, pos));
            pos += op.Length;
        }
    }

    private static readonly string[] Operators =
    [
        "//", "**", "==", "!=", "<=", ">=",
        "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", ";",
    ];

    private static string? MatchOperator(string source, int pos)
    {
        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(source, pos, op, 0, op.Length) == 0)
            {
                return op;
            }
        }

        return null;
    }

    private static int LexNumber(string source, int pos, List<Token> tokens, SourceMap map)
    {
        var start = pos;
        var length = source.Length;
        var isFloat = false;
        while (pos < length && (char.IsAsciiDigit(source[pos]) || source[pos] == '_'))
        {
            pos++;
        }

        if (pos + 1 < length && source[pos] == '.' && char.IsAsciiDigit(source[pos + 1]))
        {
            isFloat = true;
            pos++;
            while (pos < length && (char.IsAsciiDigit(source[pos]) || source[pos] == '_'))
            {
                pos++;
            }
        }

        if (pos < length && source[pos] is 'e' or 'E')
        {
            var scan = pos + 1;
            if (scan < length && source[scan] is '+' or '-')
            {
                scan++;
            }

            if (scan < length && char.IsAsciiDigit(source[scan]))
            {
                isFloat = true;
                pos = scan;
                while (pos < length && char.IsAsciiDigit(source[pos]))
                {
                    pos++;
                }
            }
        }

        var text = source[start..pos].Replace("_", string.Empty, StringComparison.Ordinal);
        if (isFloat)
        {
            tokens.Add(new Token(TokenKind.Float, text, start, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
        else if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
        {
            tokens.Add(new Token(TokenKind.Integer, text, start, integer));
        }
        else
        {
            throw Error(map, start, $"Integer literal '{text}' is too large");
        }

        return pos;
    }

    private static int LexString(string source, int pos, List<Token> tokens, SourceMap map)
    {
        var quote = source[pos];
        var start = pos;
        pos++;
        var builder = new StringBuilder();
        while (true)
        {
            if (pos >= source.Length)
            {
                throw Error(map, start, "Unterminated string literal");
            }

            var c = source[pos];
            if (c == quote)
            {
                pos++;
                break;
            }

            if (c != '\\')
            {
                builder.Append(c);
                pos++;
                continue;
            }

            if (pos + 1 >= source.Length)
            {
                throw Error(map, start, "Unterminated string literal");
            }

            var e = source[pos + 1];
            pos += 2;
            switch (e)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case '\\': builder.Append('\\'); break;
                case '\'': builder.Append('\''); break;
                case '"': builder.Append('"'); break;
                case 'a': builder.Append('\a'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'v': builder.Append('\v'); break;
                case '0': builder.Append('\0'); break;
                case '\n': break;
                case 'x':
                    pos = AppendHexEscape(source, pos, 2, builder, map, start);
                    break;
                case 'u':
                    pos = AppendHexEscape(source, pos, 4, builder, map, start);
                    break;
                case 'U':
                    pos = AppendHexEscape(source, pos, 8, builder, map, start);
                    break;
                default:
                    // Python keeps unknown escapes as written.
                    builder.Append('\\').Append(e);
                    break;
            }
        }

        tokens.Add(new Token(TokenKind.String, source[start..pos], start, builder.ToString()));
        return pos;
    }

    private static int AppendHexEscape(string source, int pos, int digits, StringBuilder builder, SourceMap map, int start)
    {
        if (pos + digits > source.Length
            || !int.TryParse(source.AsSpan(pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
            || code > 0x10FFFF)
        {
            throw Error(map, start, "Invalid hexadecimal escape in string literal");
        }

        if (code is >= 0xD800 and <= 0xDFFF)
        {
            builder.Append((char)code);
        }
        else
        {
            builder.Append(char.ConvertFromUtf32(code));
        }
        return pos + digits;
    }

    private static TemplateSyntaxException Error(SourceMap map, int offset, string message)
    {
        var (line, column) = map.Locate(offset);
        return new TemplateSyntaxException(message, line, column);
    }

    [GeneratedRegex(@"\{%(-|\+)?\s*endraw\s*[-+]?%\}")]
    private static partial Regex EndRawPattern();
}
