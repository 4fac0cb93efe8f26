namespace AkashML.Inference.Generation;

/// <summary>
/// Chooses the next token of one sequence from its logits. The generator calls it once per row and step (greedy and
/// sampling; beam search selects across beams itself), after min_length and repetition penalties were applied.
/// Implementations keep their own scratch buffers and must not hold on to the spans.
/// </summary>
public interface ITokenSelector
{
    /// <param name="logits">The row's next-token scores, vocab_size long (read-only: copy before changing).</param>
    /// <param name="sequence">The row's tokens so far, prompt included.</param>
    /// <returns>A token id in [0, vocab_size).</returns>
    int SelectToken(ReadOnlySpan<float> logits, ReadOnlySpan<int> sequence);
}
