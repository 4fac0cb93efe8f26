using System.Globalization;

namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// A model's token texts indexed for <see cref="JsonConstraint"/>: built once per model (it costs a pass over the
/// vocabulary, about a millisecond per 32k tokens), immutable and safe to share between concurrent sequences.
/// </summary>
/// <remarks>
/// Token i's text is its decoded string. Special tokens should be given as empty strings (or null): they are never
/// allowed, except the end-of-sequence ids, which are allowed once the object is complete. Text is matched as UTF-16;
/// a byte-level token that decodes to U+FFFD alone is accepted inside strings only.
/// </remarks>
public sealed class JsonVocabulary
{
    internal const byte Ordinary = 0;
    internal const byte Unusable = 1;
    internal const byte EndOfSequence = 2;

    // Groups: 0–127 first character (ASCII, not whitespace); 128–255 the same after leading whitespace;
    // 256 whitespace only. Tokens whose first significant character is not ASCII fit only inside strings.
    internal const int AfterWhitespaceGroups = 128;
    internal const int WhitespaceOnlyGroup = 256;
    private const int GroupCount = 257;

    private readonly char[] _text;
    private readonly int[] _offsets;
    private readonly byte[] _kinds;
    private readonly int[] _leadingWhitespace;
    private readonly int[] _groupStarts;
    private readonly int[] _groupTokens;

    /// <param name="tokenTexts">Decoded text of every token id.</param>
    /// <param name="endTokenIds">End-of-sequence ids.</param>
    public JsonVocabulary(IReadOnlyList<string?> tokenTexts, IEnumerable<int> endTokenIds)
    {
        ArgumentNullException.ThrowIfNull(tokenTexts);
        ArgumentNullException.ThrowIfNull(endTokenIds);
        if (tokenTexts.Count == 0)
        {
            throw new ArgumentException("The token table is empty.", nameof(tokenTexts));
        }

        TokenCount = tokenTexts.Count;
        _kinds = new byte[TokenCount];
        foreach (var id in endTokenIds)
        {
            if ((uint)id >= (uint)TokenCount)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(endTokenIds),
                    id,
                    string.Create(CultureInfo.InvariantCulture, $"End token ids must be below the table size {TokenCount}."));
            }

            _kinds[id] = EndOfSequence;
        }

        var totalLength = 0L;
        for (var id = 0; id < TokenCount; id++)
        {
            var length = tokenTexts[id]?.Length ?? 0;
            totalLength += length;
            LongestToken = Math.Max(LongestToken, length);
        }

        _text = new char[checked((int)totalLength)];
        _offsets = new int[TokenCount + 1];
        _leadingWhitespace = new int[TokenCount];
        var groups = new int[TokenCount];
        var groupSizes = new int[GroupCount + 1];
        var unusable = new List<int>();
        var stringBreaking = new List<int>();
        var ends = new List<int>();
        var otherLed = new List<int>();
        var offset = 0;
        for (var id = 0; id < TokenCount; id++)
        {
            _offsets[id] = offset;
            var text = tokenTexts[id] ?? string.Empty;
            text.CopyTo(_text.AsSpan(offset));
            offset += text.Length;
            groups[id] = -1;
            if (_kinds[id] == EndOfSequence)
            {
                ends.Add(id);
                continue;
            }

            if (text.Length == 0)
            {
                // A token that adds no text could repeat forever without moving the object towards its end.
                _kinds[id] = Unusable;
                unusable.Add(id);
                continue;
            }

            if (text.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || text.AsSpan().IndexOfAny('"', '\\') >= 0)
            {
                stringBreaking.Add(id);
            }

            var lead = text.AsSpan().IndexOfAnyExcept(" \t\n\r");
            _leadingWhitespace[id] = lead < 0 ? text.Length : lead;
            groups[id] = lead < 0 ? WhitespaceOnlyGroup
                : text[lead] >= 128 ? -1
                : lead == 0 ? text[0] : AfterWhitespaceGroups + text[lead];
            if (groups[id] >= 0)
            {
                groupSizes[groups[id] + 1]++;
            }
            else
            {
                otherLed.Add(id);
            }
        }

        _offsets[TokenCount] = offset;
        _groupStarts = new int[GroupCount + 1];
        for (var group = 0; group < GroupCount; group++)
        {
            _groupStarts[group + 1] = _groupStarts[group] + groupSizes[group + 1];
        }

        _groupTokens = new int[_groupStarts[GroupCount]];
        var fill = _groupStarts[..GroupCount];
        for (var id = 0; id < TokenCount; id++)
        {
            if (groups[id] >= 0)
            {
                _groupTokens[fill[groups[id]]++] = id;
            }
        }

        UnusableTokens = [.. unusable];
        StringBreakingTokens = [.. stringBreaking];
        EndTokens = [.. ends];
        NonAsciiLedTokens = [.. otherLed];
    }

    /// <summary>Number of token ids the table covers; logits may be longer (ids past it are always masked).</summary>
    public int TokenCount { get; }

    /// <summary>Length of the longest token text.</summary>
    internal int LongestToken { get; }

    /// <summary>Tokens with no text (never allowed).</summary>
    internal int[] UnusableTokens { get; }

    /// <summary>Tokens containing a quote, backslash or control character: the only ones to check inside a string.</summary>
    internal int[] StringBreakingTokens { get; }

    /// <summary>End-of-sequence tokens.</summary>
    internal int[] EndTokens { get; }

    /// <summary>Tokens whose first significant character is not ASCII (in no group; they fit only where text is free).</summary>
    internal int[] NonAsciiLedTokens { get; }

    internal byte KindOf(int tokenId) => _kinds[tokenId];

    internal int LeadingWhitespace(int tokenId) => _leadingWhitespace[tokenId];

    internal int LengthOf(int tokenId) => _offsets[tokenId + 1] - _offsets[tokenId];

    internal ReadOnlySpan<char> TextOf(int tokenId) => _text.AsSpan(_offsets[tokenId], _offsets[tokenId + 1] - _offsets[tokenId]);

    /// <summary>Tokens whose first significant character (after any whitespace, for the upper groups) is the group's.</summary>
    internal ReadOnlySpan<int> Group(int group) => _groupTokens.AsSpan(_groupStarts[group], _groupStarts[group + 1] - _groupStarts[group]);
}
