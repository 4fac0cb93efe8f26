using System.Globalization;

namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// Constrains generation to one JSON object (OpenAI <c>response_format: json_object</c>): masks every token whose
/// text would make the output stop being a prefix of valid JSON, and reports when the object is closed.
/// </summary>
/// <remarks>
/// <para>The caller supplies each token's decoded text (index = token id). Special tokens should be given as empty
/// strings (or null): they are never allowed, except the end-of-sequence ids, which are allowed only once the object is
/// complete. Text is matched as UTF-16; a byte-level token that decodes to U+FFFD is accepted inside strings only.</para>
/// <para>Cost per step: inside a string only the few tokens containing a quote, backslash or control character are
/// simulated; elsewhere every token is checked, most rejected on their first character through a per-step table of
/// the 128 ASCII characters, the rest simulated character by character with an early exit.</para>
/// </remarks>
public sealed class JsonConstraint : ITokenConstraint
{
    /// <summary>Default nesting limit (System.Text.Json's default reader depth).</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Default limit on consecutive whitespace characters outside strings.</summary>
    public const int DefaultMaxWhitespaceRun = 32;

    private const byte Ordinary = 0;
    private const byte Unusable = 1;
    private const byte EndOfSequence = 2;

    private readonly char[] _text;
    private readonly int[] _offsets;
    private readonly byte[] _kinds;
    private readonly int[] _unusableTokens;
    private readonly int[] _endTokens;
    private readonly int[] _stringBreakingTokens;
    private readonly byte[] _committed;
    private readonly byte[] _pushed;
    private readonly bool[] _asciiAllowed = new bool[128];
    private readonly int _maxDepth;
    private readonly int _maxWhitespaceRun;
    private JsonScanState _state;

    /// <param name="tokenTexts">Decoded text of every token id.</param>
    /// <param name="endTokenIds">End-of-sequence ids, allowed once the object is complete.</param>
    /// <param name="maxDepth">Deepest nesting of objects and arrays allowed.</param>
    /// <param name="maxWhitespaceRun">Most consecutive whitespace characters allowed outside strings.</param>
    public JsonConstraint(
        IReadOnlyList<string?> tokenTexts,
        IEnumerable<int> endTokenIds,
        int maxDepth = DefaultMaxDepth,
        int maxWhitespaceRun = DefaultMaxWhitespaceRun)
    {
        ArgumentNullException.ThrowIfNull(tokenTexts);
        ArgumentNullException.ThrowIfNull(endTokenIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDepth);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWhitespaceRun);
        if (tokenTexts.Count == 0)
        {
            throw new ArgumentException("The token table is empty.", nameof(tokenTexts));
        }

        _maxDepth = maxDepth;
        _maxWhitespaceRun = maxWhitespaceRun;
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

        _offsets = new int[TokenCount + 1];
        var totalLength = 0L;
        var longest = 0;
        for (var id = 0; id < TokenCount; id++)
        {
            var length = tokenTexts[id]?.Length ?? 0;
            totalLength += length;
            longest = Math.Max(longest, length);
        }

        _text = new char[checked((int)totalLength)];
        var unusable = new List<int>();
        var stringBreaking = new List<int>();
        var ends = new List<int>();
        var offset = 0;
        for (var id = 0; id < TokenCount; id++)
        {
            _offsets[id] = offset;
            var text = tokenTexts[id] ?? string.Empty;
            text.CopyTo(_text.AsSpan(offset));
            offset += text.Length;
            if (_kinds[id] == EndOfSequence)
            {
                ends.Add(id);
            }
            else if (text.Length == 0)
            {
                // A token that adds no text could repeat forever without moving the object towards its end.
                _kinds[id] = Unusable;
                unusable.Add(id);
            }
            else if (text.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || text.AsSpan().IndexOfAny('"', '\\') >= 0)
            {
                stringBreaking.Add(id);
            }
        }

        _offsets[TokenCount] = offset;
        _unusableTokens = [.. unusable];
        _stringBreakingTokens = [.. stringBreaking];
        _endTokens = [.. ends];
        _committed = new byte[maxDepth];
        _pushed = new byte[Math.Max(longest, 1)];
    }

    /// <summary>Number of token ids the table covers; logits may be longer (ids past it are always masked).</summary>
    public int TokenCount { get; }

    /// <summary>True once the top-level object is closed.</summary>
    public bool IsComplete => _state.Mode == JsonScanMode.Done;

    /// <inheritdoc />
    public void Mask(Span<float> logits)
    {
        if (logits.Length < TokenCount)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Expected at least {TokenCount} logits, got {logits.Length}."),
                nameof(logits));
        }

        logits[TokenCount..].Fill(float.NegativeInfinity);
        foreach (var id in _unusableTokens)
        {
            logits[id] = float.NegativeInfinity;
        }

        if (!IsComplete)
        {
            foreach (var id in _endTokens)
            {
                logits[id] = float.NegativeInfinity;
            }
        }

        if (_state.IsInPlainString)
        {
            // Every other token is plain string content here.
            foreach (var id in _stringBreakingTokens)
            {
                if (!Accepts(id))
                {
                    logits[id] = float.NegativeInfinity;
                }
            }

            return;
        }

        for (var c = 0; c < _asciiAllowed.Length; c++)
        {
            var trial = _state;
            _asciiAllowed[c] = trial.Step((char)c, _committed, _pushed, _maxDepth, _maxWhitespaceRun);
        }

        for (var id = 0; id < TokenCount; id++)
        {
            if (_kinds[id] != Ordinary)
            {
                continue;
            }

            var start = _offsets[id];
            var first = _text[start];
            if (first < 128 && (!_asciiAllowed[first] || _offsets[id + 1] - start == 1))
            {
                if (!_asciiAllowed[first])
                {
                    logits[id] = float.NegativeInfinity;
                }

                continue;
            }

            if (!Accepts(id))
            {
                logits[id] = float.NegativeInfinity;
            }
        }
    }

    /// <inheritdoc />
    public void Advance(int tokenId)
    {
        if ((uint)tokenId >= (uint)TokenCount)
        {
            throw new ArgumentOutOfRangeException(nameof(tokenId), tokenId, "The token is outside the token table.");
        }

        switch (_kinds[tokenId])
        {
            case EndOfSequence when IsComplete:
                return;
            case EndOfSequence:
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"End-of-sequence token {tokenId} came before the JSON object was complete."));
            case Unusable:
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"Token {tokenId} has no text and is never allowed in JSON output."));
            default:
                break;
        }

        var trial = _state;
        if (!Run(ref trial, tokenId))
        {
            throw new InvalidOperationException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Token {tokenId} (\"{new string(TextOf(tokenId))}\") would make the output invalid JSON."));
        }

        _pushed.AsSpan(0, trial.PushedDepth).CopyTo(_committed.AsSpan(trial.CommittedDepth));
        trial.CommittedDepth += trial.PushedDepth;
        trial.PushedDepth = 0;
        _state = trial;
    }

    private bool Accepts(int tokenId)
    {
        var trial = _state;
        return Run(ref trial, tokenId);
    }

    private bool Run(ref JsonScanState state, int tokenId)
    {
        foreach (var c in TextOf(tokenId))
        {
            if (!state.Step(c, _committed, _pushed, _maxDepth, _maxWhitespaceRun))
            {
                return false;
            }
        }

        return true;
    }

    private ReadOnlySpan<char> TextOf(int tokenId) => _text.AsSpan(_offsets[tokenId], _offsets[tokenId + 1] - _offsets[tokenId]);
}
