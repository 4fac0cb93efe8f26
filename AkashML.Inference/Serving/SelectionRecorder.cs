using AkashML.Inference.Generation;
using AkashML.Inference.Generation.Sampling;
using AkashML.Inference.Runtime;

namespace AkashML.Inference.Serving;

/// <summary>
/// Plugs a <see cref="TokenSelector"/> (sampling, penalties, bias, JSON constraint) into the generator and keeps the
/// last choice, so the serving loop can report the token's log-probabilities.
/// </summary>
/// <param name="topLogprobs">Alternatives per token; null when the request asked for no log-probabilities, which spares
/// the selector the softmax over the vocabulary wherever the draw itself does not need it.</param>
internal sealed class SelectionRecorder(TokenSelector selector, int? topLogprobs) : ITokenSelector
{
    private float[] _scratch = [];

    public TokenChoice LastChoice { get; private set; }

    public int SelectToken(ReadOnlySpan<float> logits, ReadOnlySpan<int> sequence)
    {
        // The selector edits logits in place (bias, penalties, masks); the generator's buffer is read-only.
        logits.CopyTo(Scratch(logits.Length));
        return Select();
    }

    /// <summary>Selects from a row in the model's own type: greedy without log-probabilities reads it as it is, the rest from an fp32 copy.</summary>
    internal int SelectToken(LogitsRow row)
    {
        if (topLogprobs is null && selector.TrySelectGreedy(row, out var token))
        {
            LastChoice = new TokenChoice(token, float.NaN, []);
            selector.Observe(token, isPrompt: false);
            return token;
        }

        row.CopyTo(Scratch(row.Length));
        return Select();
    }

    private Span<float> Scratch(int length)
    {
        if (_scratch.Length != length)
        {
            _scratch = new float[length];
        }

        return _scratch;
    }

    private int Select()
    {
        LastChoice = selector.Select(_scratch, topLogprobs);
        selector.Observe(LastChoice.TokenId, isPrompt: false);
        return LastChoice.TokenId;
    }
}
