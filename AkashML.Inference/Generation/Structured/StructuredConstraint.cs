using System.Buffers;
using System.Globalization;
using AkashML.Inference.Generation.Sampling;

namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// Constrains one sequence to a <see cref="StructuredGrammar"/> within a token budget: a token is allowed when the
/// grammar accepts its text and the shortest completion after it still fits the tokens left (one character per
/// token at worst). So the output always ends as a whole document, even when the budget runs short; then
/// <see cref="CutShort"/> tells that the budget, not the model, chose the ending. One per sequence, not thread-safe.
/// </summary>
public sealed class StructuredConstraint : ITokenConstraint
{
    private readonly GrammarMasks _masks;
    private readonly StructuredParser _parser = new();
    private ParseState _state;
    private int _tokensLeft;
    private bool _ended;

    /// <param name="masks">The grammar bound to the model's vocabulary (shared).</param>
    /// <param name="maxTokens">Tokens the sequence may generate; must fit the grammar's shortest output.</param>
    public StructuredConstraint(GrammarMasks masks, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(masks);
        _masks = masks;
        _state = masks.Initial;
        if (_state.MinRemaining > maxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens,
                string.Create(CultureInfo.InvariantCulture, $"The shortest valid output needs {_state.MinRemaining} tokens."));
        }

        _tokensLeft = maxTokens;
    }

    /// <summary>True once nothing more may be written (the document is closed), or the end of sequence was accepted.</summary>
    public bool IsComplete => _ended || _state.IsComplete;

    /// <summary>True when the budget ruled out a token the grammar and the logits allowed: the document was closed early.</summary>
    public bool CutShort { get; private set; }

    /// <summary>The text so far is a whole document (the end-of-sequence token is allowed).</summary>
    public bool CanEnd => _state.IsFinished;

    /// <inheritdoc />
    public void Mask(Span<float> logits)
    {
        var mask = _masks.MaskFor(_state);
        var budget = _tokensLeft - 1;
        var kept = ArrayPool<int>.Shared.Rent(mask.Tokens.Length);
        var keptLogits = ArrayPool<float>.Shared.Rent(mask.Tokens.Length);
        try
        {
            var count = 0;
            var anyFinite = false;
            for (var i = 0; i < mask.Tokens.Length; i++)
            {
                var id = mask.Tokens[i];
                if (id >= logits.Length)
                {
                    continue;
                }

                if (mask.MaxRemainingAfter > budget && mask.RemainingAfter[i] > budget)
                {
                    CutShort |= !float.IsNegativeInfinity(logits[id]) && !float.IsNaN(logits[id]);
                    continue;
                }

                kept[count] = id;
                keptLogits[count] = logits[id];
                anyFinite |= float.IsFinite(keptLogits[count]);
                count++;
            }

            logits.Fill(float.NegativeInfinity);
            for (var i = 0; i < count; i++)
            {
                // When logit_bias banned every token that keeps the output valid, validity wins: they share evenly.
                logits[kept[i]] = anyFinite ? keptLogits[i] : 0f;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(kept);
            ArrayPool<float>.Shared.Return(keptLogits);
        }
    }

    /// <inheritdoc />
    public void Advance(int tokenId)
    {
        var vocabulary = _masks.Vocabulary;
        if ((uint)tokenId >= (uint)vocabulary.TokenCount)
        {
            throw new ArgumentOutOfRangeException(nameof(tokenId), tokenId, "The token is outside the token table.");
        }

        switch (vocabulary.KindOf(tokenId))
        {
            case JsonVocabulary.EndOfSequence when _state.IsFinished:
                _ended = true;
                _tokensLeft--;
                return;
            case JsonVocabulary.EndOfSequence:
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"End-of-sequence token {tokenId} came before the output was complete."));
            case JsonVocabulary.Unusable:
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"Token {tokenId} has no text and is never allowed in structured output."));
            default:
                break;
        }

        _state = _parser.Advance(_state, vocabulary.TextOf(tokenId)) ?? throw new InvalidOperationException(
            string.Create(CultureInfo.InvariantCulture,
                $"Token {tokenId} (\"{new string(vocabulary.TextOf(tokenId))}\") does not fit the output grammar."));
        _tokensLeft--;
    }
}
