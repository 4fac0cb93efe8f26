using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AkashML.Inference.Tokenizers.Text;

/// <summary>A compiled, cached regular expression that matches whole Unicode code points like Oniguruma does.</summary>
/// <remarks>
/// .NET matches UTF-16 code units, so <c>\p{L}</c> never matches a supplementary-plane letter such as U+1D518.
/// Before matching, each supplementary code point is replaced by one BMP stand-in of the same general category,
/// and match positions are mapped back to the original string.
/// </remarks>
internal sealed class TokenizerRegex
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Multiline | RegexOptions.Compiled;
    private static readonly ConcurrentDictionary<string, TokenizerRegex> Cache = new(StringComparer.Ordinal);
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(10);

    private readonly Regex _regex;

    private TokenizerRegex(Regex regex, string source)
    {
        _regex = regex;
        Source = source;
    }

    /// <summary>The pattern as written in tokenizer.json.</summary>
    public string Source { get; }

    /// <summary>Compiles (once per process) an Oniguruma-syntax pattern.</summary>
    public static TokenizerRegex FromOniguruma(string pattern) =>
        Cache.GetOrAdd("r:" + pattern, static (_, p) => Create(OnigurumaPattern.Translate(p), p), pattern);

    /// <summary>Compiles (once per process) a pattern that matches a literal string.</summary>
    public static TokenizerRegex FromLiteral(string literal) =>
        Cache.GetOrAdd("s:" + literal, static (_, p) => Create(Regex.Escape(p), p), literal);

    /// <summary>Compiles (once per process) a pattern already in .NET syntax.</summary>
    public static TokenizerRegex FromDotNet(string pattern) =>
        Cache.GetOrAdd("n:" + pattern, static (_, p) => Create(p, p), pattern);

    private static TokenizerRegex Create(string netPattern, string source)
    {
        try
        {
            return new TokenizerRegex(new Regex(netPattern, Options, MatchTimeout), source);
        }
        catch (ArgumentException ex)
        {
            throw new TokenizerFormatException($"Regular expression '{source}' is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Appends the (start, length) of every non-overlapping match, left to right.</summary>
    public void FindMatches(string input, List<(int Start, int Length)> matches)
    {
        if (!HasSurrogates(input))
        {
            for (var m = _regex.Match(input); m.Success; m = m.NextMatch())
            {
                matches.Add((m.Index, m.Length));
            }

            return;
        }

        var mapped = MapSupplementary(input, out var originalIndex);
        for (var m = _regex.Match(mapped); m.Success; m = m.NextMatch())
        {
            var start = originalIndex[m.Index];
            matches.Add((start, originalIndex[m.Index + m.Length] - start));
        }
    }

    /// <summary>Replaces every match with <paramref name="content"/> taken literally.</summary>
    public string Replace(string input, string content)
    {
        var matches = new List<(int Start, int Length)>();
        FindMatches(input, matches);
        if (matches.Count == 0)
        {
            return input;
        }

        var sb = new StringBuilder(input.Length);
        var last = 0;
        foreach (var (start, length) in matches)
        {
            sb.Append(input, last, start - last).Append(content);
            last = start + length;
        }

        return sb.Append(input, last, input.Length - last).ToString();
    }

    private static bool HasSurrogates(string input)
    {
        foreach (var c in input)
        {
            if (char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }

    private static string MapSupplementary(string input, out int[] originalIndex)
    {
        var sb = new StringBuilder(input.Length);
        var map = new List<int>(input.Length + 1);
        for (var i = 0; i < input.Length; i++)
        {
            map.Add(i);
            if (char.IsHighSurrogate(input[i]) && i + 1 < input.Length && char.IsLowSurrogate(input[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(input[i], input[i + 1]));
                sb.Append(StandIn(category));
                i++;
            }
            else
            {
                sb.Append(input[i]);
            }
        }

        map.Add(input.Length);
        originalIndex = [.. map];
        return sb.ToString();
    }

    /// <summary>A BMP character of the given category; none is ASCII, so explicit ASCII ranges never match it.</summary>
    private static char StandIn(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => '\u00C0',
        UnicodeCategory.LowercaseLetter => '\u00E0',
        UnicodeCategory.TitlecaseLetter => '\u01C5',
        UnicodeCategory.ModifierLetter => '\u02B0',
        UnicodeCategory.OtherLetter => '\u4E00',
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u20DD',
        UnicodeCategory.DecimalDigitNumber => '\u0660',
        UnicodeCategory.LetterNumber => '\u2160',
        UnicodeCategory.OtherNumber => '\u00B2',
        UnicodeCategory.ConnectorPunctuation => '\u203F',
        UnicodeCategory.DashPunctuation => '\u2010',
        UnicodeCategory.OpenPunctuation => '\u2045',
        UnicodeCategory.ClosePunctuation => '\u2046',
        UnicodeCategory.InitialQuotePunctuation => '\u00AB',
        UnicodeCategory.FinalQuotePunctuation => '\u00BB',
        UnicodeCategory.OtherPunctuation => '\u00B6',
        UnicodeCategory.MathSymbol => '\u00AC',
        UnicodeCategory.CurrencySymbol => '\u00A2',
        UnicodeCategory.ModifierSymbol => '\u00B4',
        UnicodeCategory.OtherSymbol => '\u00A6',
        UnicodeCategory.Format => '\u200B',
        UnicodeCategory.PrivateUse => '\uE000',
        UnicodeCategory.SpaceSeparator => '\u2000',
        UnicodeCategory.LineSeparator => '\u2028',
        UnicodeCategory.ParagraphSeparator => '\u2029',
        UnicodeCategory.Control => '\u0085',
        UnicodeCategory.Surrogate => '\uFFFD',
        UnicodeCategory.OtherNotAssigned => '\u0378',
        _ => '\u0378',
    };
}
