namespace AkashML.Inference.Catalog.Hub;

/// <summary>
/// Path patterns for <c>--include</c>: <c>*</c> matches within one path segment, <c>?</c> one character of a segment,
/// and a segment of <c>**</c> any number of segments. As in .gitignore, a pattern that matches a folder selects
/// everything under it, so <c>cpu/int4</c>, <c>cpu/int4/</c> and <c>cpu/int4/*</c> all select that folder's files.
/// </summary>
public sealed class HubGlob
{
    private readonly string[] _segments;

    public HubGlob(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        Pattern = pattern;
        _segments = pattern.Replace('\\', '/').Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (_segments.Length == 0)
        {
            // "/" alone: everything.
            _segments = ["**"];
        }
    }

    public string Pattern { get; }

    /// <summary>True when <paramref name="path"/> (a repository path with <c>/</c> separators) or one of its folders matches.</summary>
    public bool IsMatch(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var length = parts.Length; length >= 1; length--)
        {
            if (MatchSegments(0, parts, 0, length))
            {
                return true;
            }
        }

        return false;
    }

    private bool MatchSegments(int p, string[] parts, int s, int end)
    {
        while (p < _segments.Length)
        {
            if (_segments[p] == "**")
            {
                // Zero or more whole segments.
                for (var skip = s; skip <= end; skip++)
                {
                    if (MatchSegments(p + 1, parts, skip, end))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (s >= end || !MatchSegment(_segments[p], parts[s]))
            {
                return false;
            }

            p++;
            s++;
        }

        return s == end;
    }

    /// <summary>Wildcard match within one segment, iterative with backtracking to the last <c>*</c>.</summary>
    private static bool MatchSegment(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
