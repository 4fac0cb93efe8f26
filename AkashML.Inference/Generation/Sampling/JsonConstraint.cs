using System.Buffers;
using System.Globalization;

namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// Constrains one sequence to a single JSON object (OpenAI <c>response_format: json_object</c>): masks every token
/// whose text would make the output stop being a prefix of valid JSON, and reports when the object is closed.
/// Holds the sequence's parser state: one per sequence, not thread-safe; share the <see cref="JsonVocabulary"/>.
/// </summary>
/// <remarks>
/// Cost per step: inside a string only the tokens containing a quote, backslash or control character are
/// simulated. Elsewhere a table of the 128 ASCII characters (from the current state, and after one whitespace) rules
/// out whole groups of tokens by their first significant character; only tokens in the surviving groups are
/// simulated, with an early exit, and the mask is written as one fill plus the survivors.
/// </remarks>
public sealed class JsonConstraint : ITokenConstraint
{
    /// <summary>Default nesting limit (System.Text.Json's default reader depth).</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Default limit on consecutive whitespace characters outside strings.</summary>
    public const int DefaultMaxWhitespaceRun = 32;

    private readonly JsonVocabulary _vocabulary;
    private readonly byte[] _committed;
    private readonly byte[] _pushed;
    private readonly bool[] _firstAllowed = new bool[128];
    private readonly bool[] _afterWhitespaceAllowed = new bool[128];
    private readonly int _maxDepth;
    private readonly int _maxWhitespaceRun;
    private JsonScanState _state;

    /// <param name="vocabulary">The model's indexed token texts.</param>
    /// <param name="maxDepth">Deepest nesting of objects and arrays allowed.</param>
    /// <param name="maxWhitespaceRun">Most consecutive whitespace characters allowed outside strings.</param>
    public JsonConstraint(JsonVocabulary vocabulary, int maxDepth = DefaultMaxDepth, int maxWhitespaceRun = DefaultMaxWhitespaceRun)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDepth);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWhitespaceRun);
        _vocabulary = vocabulary;
        _maxDepth = maxDepth;
        _maxWhitespaceRun = maxWhitespaceRun;
        _committed = new byte[maxDepth];
        _pushed = new byte[Math.Max(vocabulary.LongestToken, 1)];
    }

    /// <summary>Indexes <paramref name="tokenTexts"/> for this sequence alone; prefer sharing a <see cref="JsonVocabulary"/>.</summary>
    public JsonConstraint(
        IReadOnlyList<string?> tokenTexts,
        IEnumerable<int> endTokenIds,
        int maxDepth = DefaultMaxDepth,
        int maxWhitespaceRun = DefaultMaxWhitespaceRun)
        : this(new JsonVocabulary(tokenTexts, endTokenIds), maxDepth, maxWhitespaceRun)
    {
    }

    /// <summary>Number of token ids the table covers; logits may be longer (ids past it are always masked).</summary>
    public int TokenCount => _vocabulary.TokenCount;

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

        var allowed = ArrayPool<int>.Shared.Rent(TokenCount);
        var allowedLogits = ArrayPool<float>.Shared.Rent(TokenCount);
        try
        {
            var count = CollectAllowedOutsideString(allowed);
            for (var i = 0; i < count; i++)
            {
                allowedLogits[i] = logits[allowed[i]];
            }

            logits.Fill(float.NegativeInfinity);
            for (var i = 0; i < count; i++)
            {
                logits[allowed[i]] = allowedLogits[i];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(allowed);
            ArrayPool<float>.Shared.Return(allowedLogits);
        }
    }

    /// <inheritdoc />
    public void Advance(int tokenId)
    {
        if ((uint)tokenId >= (uint)TokenCount)
        {
            throw new ArgumentOutOfRangeException(nameof(tokenId), tokenId, "The token is outside the token table.");
        }

        switch (_vocabulary.KindOf(tokenId))
        {
            case JsonVocabulary.EndOfSequence when IsComplete:
                return;
            case JsonVocabulary.EndOfSequence:
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"End-of-sequence token {tokenId} came before the JSON object was complete."));
            case JsonVocabulary.Unusable:
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
                    $"Token {tokenId} (\"{new string(_vocabulary.TextOf(tokenId))}\") would make the output invalid JSON."));
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
        foreach (var id in _vocabulary.UnusableTokens)
        {
            logits[id] = float.NegativeInfinity;
        }

        foreach (var id in _vocabulary.EndTokens)
        {
            logits[id] = float.NegativeInfinity;
        }

        foreach (var id in _vocabulary.StringBreakingTokens)
        {
            if (!Accepts(id))
            {
                logits[id] = float.NegativeInfinity;
            }
        }
    }

    private int CollectAllowedOutsideString(Span<int> allowed)
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
                count = CollectGroup(c, allowed, count, whitespaceBudget: int.MaxValue);
            }

            if (whitespaceAllowed && _afterWhitespaceAllowed[c])
            {
                count = CollectGroup(JsonVocabulary.AfterWhitespaceGroups + c, allowed, count, whitespaceBudget);
            }
        }

        if (whitespaceAllowed)
        {
            foreach (var id in _vocabulary.Group(JsonVocabulary.WhitespaceOnlyGroup))
            {
                if (_vocabulary.LeadingWhitespace(id) <= whitespaceBudget)
                {
                    allowed[count++] = id;
                }
            }
        }

        if (IsComplete)
        {
            foreach (var id in _vocabulary.EndTokens)
            {
                allowed[count++] = id;
            }
        }

        return count;
    }

    /// <summary>Adds the group's tokens that fit; those of one significant character need no simulation.</summary>
    private int CollectGroup(int group, Span<int> allowed, int count, int whitespaceBudget)
    {
        foreach (var id in _vocabulary.Group(group))
        {
            var lead = _vocabulary.LeadingWhitespace(id);
            if (lead > whitespaceBudget)
            {
                continue;
            }

            if (_vocabulary.LengthOf(id) == lead + 1 || Accepts(id))
            {
                allowed[count++] = id;
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
        foreach (var c in _vocabulary.TextOf(tokenId))
        {
            if (!state.Step(c, _committed, _pushed, _maxDepth, _maxWhitespaceRun))
            {
                return false;
            }
        }

        return true;
    }
}
