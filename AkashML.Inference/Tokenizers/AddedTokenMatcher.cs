using System.Text;
using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tokenizers;

/// <summary>Finds added tokens in text, leftmost-longest, honouring lstrip/rstrip/single_word.</summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<char, (string Pattern, AddedToken Token)[]> _byFirstChar;

    /// <param name="patterns">Each token with the text to look for (its content, normalized when the token is).</param>
    public AddedTokenMatcher(IEnumerable<(string Pattern, AddedToken Token)> patterns)
    {
        var groups = new Dictionary<char, List<(string, AddedToken)>>();
        foreach (var (pattern, token) in patterns)
        {
            if (pattern.Length == 0)
            {
                continue;
            }

            if (!groups.TryGetValue(pattern[0], out var list))
            {
                groups[pattern[0]] = list = [];
            }

            list.Add((pattern, token));
        }

        _byFirstChar = new Dictionary<char, (string, AddedToken)[]>(groups.Count);
        foreach (var (c, list) in groups)
        {
            // Longest first, so the first hit at a position is the leftmost-longest match.
            list.Sort(static (a, b) => b.Item1.Length.CompareTo(a.Item1.Length));
            _byFirstChar[c] = [.. list];
        }
    }

    public bool IsEmpty => _byFirstChar.Count == 0;

    /// <summary>Splits <paramref name="text"/> into (token or null, start, end) segments that cover it in order.</summary>
    public List<(AddedToken? Token, int Start, int End)> Split(string text)
    {
        var result = new List<(AddedToken?, int, int)>();
        if (IsEmpty || text.Length == 0)
        {
            result.Add((null, 0, text.Length));
            return result;
        }

        var startOffset = 0;
        var position = 0;
        while (position < text.Length)
        {
            if (!TryMatchAt(text, position, out var pattern, out var token))
            {
                position++;
                continue;
            }

            var start = position;
            var stop = position + pattern.Length;
            position = stop;
            if (token.SingleWord && (EndsWithWord(text, start) || StartsWithWord(text, stop)))
            {
                continue;
            }

            if (token.LStrip)
            {
                var newStart = start;
                while (newStart > 0 && char.IsWhiteSpace(text[newStart - 1]))
                {
                    newStart--;
                }

                start = Math.Max(newStart, startOffset);
            }

            if (token.RStrip)
            {
                while (stop < text.Length && char.IsWhiteSpace(text[stop]))
                {
                    stop++;
                }
            }

            if (startOffset < start)
            {
                result.Add((null, startOffset, start));
            }

            result.Add((token, start, stop));
            startOffset = stop;
        }

        if (startOffset != text.Length)
        {
            result.Add((null, startOffset, text.Length));
        }

        return result;
    }

    private bool TryMatchAt(string text, int position, out string pattern, out AddedToken token)
    {
        if (_byFirstChar.TryGetValue(text[position], out var candidates))
        {
            foreach (var (p, t) in candidates)
            {
                if (p.Length <= text.Length - position && string.CompareOrdinal(text, position, p, 0, p.Length) == 0)
                {
                    pattern = p;
                    token = t;
                    return true;
                }
            }
        }

        pattern = string.Empty;
        token = null!;
        return false;
    }

    private static bool EndsWithWord(string text, int end) =>
        end > 0 && Rune.DecodeLastFromUtf16(text.AsSpan(0, end), out var rune, out _) == System.Buffers.OperationStatus.Done
            && UnicodeChars.IsWordCharacter(rune);

    private static bool StartsWithWord(string text, int start) =>
        start < text.Length && Rune.DecodeFromUtf16(text.AsSpan(start), out var rune, out _) == System.Buffers.OperationStatus.Done
            && UnicodeChars.IsWordCharacter(rune);
}
