using AkashML.Inference.Generation;
using AkashML.Inference.Generation.Sampling;

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
        if (_scratch.Length != logits.Length)
        {
            _scratch = new float[logits.Length];
        }

        // The selector edits logits in place (bias, penalties, masks); the generator's buffer is read-only.
        logits.CopyTo(_scratch);
        LastChoice = selector.Select(_scratch, topLogprobs);
        selector.Observe(LastChoice.TokenId, isPrompt: false);
        return LastChoice.TokenId;
    }
}
