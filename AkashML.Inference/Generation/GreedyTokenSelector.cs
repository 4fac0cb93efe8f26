namespace AkashML.Inference.Generation;

/// <summary>Argmax; the first maximum wins on ties (as GenAI's std::max_element).</summary>
public sealed class GreedyTokenSelector : ITokenSelector
{
    public static GreedyTokenSelector Instance { get; } = new();

    public int SelectToken(ReadOnlySpan<float> logits, ReadOnlySpan<int> sequence) => ArgMax(logits);

    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        var bestScore = float.NegativeInfinity;
        for (var i = 0; i < logits.Length; i++)
        {
            // NaN never wins; the first maximum is kept.
            if (logits[i] > bestScore)
            {
                bestScore = logits[i];
                best = i;
            }
        }

        return best;
    }
}
