using System.Text;

namespace AkashML.Inference.Tokenizers.PreTokenization;

/// <summary>Cuts a piece at delimiter matches according to a <see cref="SplitBehavior"/>.</summary>
internal static class PieceSplitter
{
    /// <summary>Splits <paramref name="piece"/> given its delimiter matches (sorted, non-overlapping) and appends the result.</summary>
    public static void Split(PreToken piece, List<(int Start, int Length)> matches, SplitBehavior behavior, bool invert, List<PreToken> output)
    {
        var text = piece.Text;
        if (text.Length == 0)
        {
            return;
        }

        // Cover the whole string with (start, end, isMatch) segments.
        var segments = new List<(int Start, int End, bool IsMatch)>(matches.Count * 2 + 1);
        var previous = 0;
        foreach (var (start, length) in matches)
        {
            if (previous != start)
            {
                segments.Add((previous, start, invert));
            }

            segments.Add((start, start + length, !invert));
            previous = start + length;
        }

        if (previous != text.Length)
        {
            segments.Add((previous, text.Length, invert));
        }

        var pieces = Arrange(segments, behavior);
        foreach (var (start, end, remove) in pieces)
        {
            if (!remove && end > start)
            {
                output.Add(new PreToken(text[start..end], piece.AtStart && start == 0));
            }
        }
    }

    /// <summary>Marks, one match per matching code point, the positions where <paramref name="predicate"/> holds.</summary>
    public static void CharMatches(string text, Func<Rune, bool> predicate, List<(int Start, int Length)> matches)
    {
        var i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed);
            if (predicate(rune))
            {
                matches.Add((i, consumed));
            }

            i += consumed;
        }
    }

    private static List<(int Start, int End, bool Remove)> Arrange(List<(int Start, int End, bool IsMatch)> segments, SplitBehavior behavior)
    {
        var result = new List<(int Start, int End, bool Remove)>(segments.Count);
        var previousMatch = false;
        switch (behavior)
        {
            case SplitBehavior.Isolated:
                foreach (var s in segments)
                {
                    result.Add((s.Start, s.End, false));
                }

                break;
            case SplitBehavior.Removed:
                foreach (var s in segments)
                {
                    result.Add((s.Start, s.End, s.IsMatch));
                }

                break;
            case SplitBehavior.Contiguous:
                foreach (var s in segments)
                {
                    if (s.IsMatch == previousMatch && result.Count > 0)
                    {
                        result[^1] = (result[^1].Start, s.End, false);
                    }
                    else
                    {
                        result.Add((s.Start, s.End, false));
                    }

                    previousMatch = s.IsMatch;
                }

                break;
            case SplitBehavior.MergedWithPrevious:
                foreach (var s in segments)
                {
                    if (s.IsMatch && !previousMatch && result.Count > 0)
                    {
                        result[^1] = (result[^1].Start, s.End, false);
                    }
                    else
                    {
                        result.Add((s.Start, s.End, false));
                    }

                    previousMatch = s.IsMatch;
                }

                break;
            case SplitBehavior.MergedWithNext:
                for (var i = segments.Count - 1; i >= 0; i--)
                {
                    var s = segments[i];
                    if (s.IsMatch && !previousMatch && result.Count > 0)
                    {
                        result[^1] = (s.Start, result[^1].End, false);
                    }
                    else
                    {
                        result.Add((s.Start, s.End, false));
                    }

                    previousMatch = s.IsMatch;
                }

                result.Reverse();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(behavior), behavior, "Unknown split behavior.");
        }

        return result;
    }
}
