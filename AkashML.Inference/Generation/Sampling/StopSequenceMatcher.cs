using System.Globalization;

namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// Finds stop sequences in streamed text. Fed the decoded deltas in order, it returns the text that is safe to
/// emit: everything before a match, and never any part of a stop sequence, even one spread over several deltas.
/// It holds back only the longest tail that is still the start of some stop sequence; <see cref="Flush"/> releases
/// it when generation ends without a match.
/// </summary>
/// <remarks>
/// When several stops could match, the one that completes first in the text wins (ties: the one that starts
/// earlier), which is what character-by-character streaming would see; the result does not depend on how the text
/// was split into deltas. Matching is ordinal (exact UTF-16 code units).
/// </remarks>
public sealed class StopSequenceMatcher
{
    private readonly string[] _stops;
    private string _held = string.Empty;

    /// <param name="stopSequences">Non-empty strings; may be empty (then text passes straight through).</param>
    public StopSequenceMatcher(IEnumerable<string> stopSequences)
    {
        ArgumentNullException.ThrowIfNull(stopSequences);
        _stops = [.. stopSequences.Distinct(StringComparer.Ordinal)];
        for (var i = 0; i < _stops.Length; i++)
        {
            if (string.IsNullOrEmpty(_stops[i]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Stop sequence {i} is empty; stop sequences must contain text."),
                    nameof(stopSequences));
            }
        }
    }

    /// <summary>The stop sequence that matched, or null.</summary>
    public string? MatchedStopSequence { get; private set; }

    /// <summary>True once a stop sequence has matched; later deltas are ignored.</summary>
    public bool IsStopped => MatchedStopSequence is not null;

    /// <summary>Adds a delta and returns what may be emitted now, and whether a stop sequence ended the text.</summary>
    public StopMatch Append(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (IsStopped)
        {
            return new StopMatch(string.Empty, MatchedStopSequence);
        }

        if (_stops.Length == 0)
        {
            return new StopMatch(delta, null);
        }

        var text = _held.Length == 0 ? delta : string.Concat(_held, delta);
        var (start, stop) = FirstCompletedMatch(text);
        if (stop is not null)
        {
            _held = string.Empty;
            MatchedStopSequence = stop;
            return new StopMatch(text[..start], stop);
        }

        var hold = LongestPendingPrefix(text);
        _held = text[(text.Length - hold)..];
        return new StopMatch(text[..(text.Length - hold)], null);
    }

    /// <summary>Returns the held-back text at the end of generation (empty after a match).</summary>
    public string Flush()
    {
        var rest = _held;
        _held = string.Empty;
        return rest;
    }

    private (int Start, string? Stop) FirstCompletedMatch(string text)
    {
        var bestEnd = int.MaxValue;
        var bestStart = 0;
        string? best = null;
        foreach (var stop in _stops)
        {
            var start = text.IndexOf(stop, StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            var end = start + stop.Length;
            if (end < bestEnd || (end == bestEnd && start < bestStart))
            {
                (bestEnd, bestStart, best) = (end, start, stop);
            }
        }

        return (bestStart, best);
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that is a proper prefix of a stop sequence.</summary>
    private int LongestPendingPrefix(string text)
    {
        var longest = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}
