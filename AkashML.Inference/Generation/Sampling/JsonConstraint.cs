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
/// <para>Cost per step: inside a string only the tokens containing a quote, backslash or control character are
/// simulated. Elsewhere tokens are grouped at construction by their first non-whitespace character (and whether
/// whitespace precedes it); a per-step table of the 128 ASCII characters rules out whole groups, only the tokens of
/// the surviving groups are simulated (with an early exit), and the mask is written as one fill plus the survivors.</para>
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

    // Groups: 0–127 first character (ASCII, not whitespace); 128–255 the same after leading whitespace;
    // 256 whitespace only. Tokens whose first significant character is not ASCII fit only inside strings.
    private const int AfterWhitespaceGroups = 128;
    private const int WhitespaceOnlyGroup = 256;
    private const int GroupCount = 257;

    private readonly char[] _text;
    private readonly int[] _offsets;
    private readonly byte[] _kinds;
    private readonly int[] _leadingWhitespace;
    private readonly int[] _groupStarts;
    private readonly int[] _groupTokens;
    private readonly int[] _endTokens;
    private readonly int[] _unusableTokens;
    private readonly int[] _stringBreakingTokens;
    private readonly byte[] _committed;
    private readonly byte[] _pushed;
    private readonly bool[] _firstAllowed = new bool[128];
    private readonly bool[] _afterWhitespaceAllowed = new bool[128];
    private readonly int[] _allowed;
    private readonly float[] _allowedLogits;
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

        var totalLength = 0L;
        var longest = 0;
        for (var id = 0; id < TokenCount; id++)
        {
            var length = tokenTexts[id]?.Length ?? 0;
            totalLength += length;
            longest = Math.Max(longest, length);
        }

        _text = new char[checked((int)totalLength)];
        _offsets = new int[TokenCount + 1];
        _leadingWhitespace = new int[TokenCount];
        var groups = new int[TokenCount];
        var groupSizes = new int[GroupCount + 1];
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

        _unusableTokens = [.. unusable];
        _stringBreakingTokens = [.. stringBreaking];
        _endTokens = [.. ends];
        _committed = new byte[maxDepth];
        _pushed = new byte[Math.Max(longest, 1)];
        _allowed = new int[TokenCount];
        _allowedLogits = new float[TokenCount];
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

        if (_state.IsInPlainString)
        {
            MaskInsideString(logits);
            return;
        }

        var count = CollectAllowedOutsideString();
        for (var i = 0; i < count; i++)
        {
            _allowedLogits[i] = logits[_allowed[i]];
        }

        logits.Fill(float.NegativeInfinity);
        for (var i = 0; i < count; i++)
        {
            logits[_allowed[i]] = _allowedLogits[i];
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

    // Every token without a quote, backslash or control character is plain string content here.
    private void MaskInsideString(Span<float> logits)
    {
        logits[TokenCount..].Fill(float.NegativeInfinity);
        foreach (var id in _unusableTokens)
        {
            logits[id] = float.NegativeInfinity;
        }

        foreach (var id in _endTokens)
        {
            logits[id] = float.NegativeInfinity;
        }

        foreach (var id in _stringBreakingTokens)
        {
            if (!Accepts(id))
            {
                logits[id] = float.NegativeInfinity;
            }
        }
    }

    private int CollectAllowedOutsideString()
    {
        for (var c = 0; c < 128; c++)
        {
            var trial = _state;
            _firstAllowed[c] = trial.Step((char)c, _committed, _pushed, _maxDepth, _maxWhitespaceRun);
        }

        // Whitespace never changes the state except to end a number, so one step tells how every
        // whitespace-led token continues.
        var afterWhitespace = _state;
        var whitespaceAllowed = afterWhitespace.Step(' ', _committed, _pushed, _maxDepth, _maxWhitespaceRun);
        if (whitespaceAllowed)
        {
            for (var c = 0; c < 128; c++)
            {
                var trial = afterWhitespace;
                _afterWhitespaceAllowed[c] = trial.Step((char)c, _committed, _pushed, _maxDepth, _maxWhitespaceRun);
            }
        }

        var count = 0;
        var whitespaceBudget = _maxWhitespaceRun - afterWhitespace.WhitespaceRun + 1;
        for (var c = 0; c < 128; c++)
        {
            if (_firstAllowed[c])
            {
                count = CollectGroup(c, count, whitespaceBudget: int.MaxValue);
            }

            if (whitespaceAllowed && _afterWhitespaceAllowed[c])
            {
                count = CollectGroup(AfterWhitespaceGroups + c, count, whitespaceBudget);
            }
        }

        if (whitespaceAllowed)
        {
            for (var i = _groupStarts[WhitespaceOnlyGroup]; i < _groupStarts[WhitespaceOnlyGroup + 1]; i++)
            {
                var id = _groupTokens[i];
                if (_leadingWhitespace[id] <= whitespaceBudget)
                {
                    _allowed[count++] = id;
                }
            }
        }

        if (IsComplete)
        {
            foreach (var id in _endTokens)
            {
                _allowed[count++] = id;
            }
        }

        return count;
    }

    /// <summary>Adds the group's tokens that fit; those of one significant character need no simulation.</summary>
    private int CollectGroup(int group, int count, int whitespaceBudget)
    {
        for (var i = _groupStarts[group]; i < _groupStarts[group + 1]; i++)
        {
            var id = _groupTokens[i];
            var lead = _leadingWhitespace[id];
            if (lead > whitespaceBudget)
            {
                continue;
            }

            if (_offsets[id + 1] - _offsets[id] == lead + 1 || Accepts(id))
            {
                _allowed[count++] = id;
            }
        }

        return count;
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
