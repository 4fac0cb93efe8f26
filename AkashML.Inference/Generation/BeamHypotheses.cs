namespace AkashML.Inference.Generation;

/// <summary>The n best finished hypotheses of one batch row, best first (HF BeamHypotheses).</summary>
internal sealed class BeamHypotheses
{
    private readonly (int[] Tokens, float Score)[] _beams;
    private readonly float _lengthPenalty;

    internal BeamHypotheses(int size, float lengthPenalty)
    {
        _beams = new (int[], float)[size];
        _lengthPenalty = lengthPenalty;
    }

    internal int Count { get; private set; }

    internal bool Done { get; set; }

    internal ReadOnlySpan<int> Get(int rank) => _beams[rank].Tokens;

    internal float ScoreOf(int rank) => _beams[rank].Score;

    /// <summary>Adds a hypothesis scored sum_logprobs / length^length_penalty, length being the whole sequence.</summary>
    internal void Add(ReadOnlySpan<int> tokens, float sumLogProbs)
    {
        var score = sumLogProbs / MathF.Pow(tokens.Length, _lengthPenalty);
        var index = Count;
        if (index == _beams.Length)
        {
            if (score <= _beams[--index].Score)
            {
                return;
            }
        }
        else
        {
            Count++;
        }

        for (; index > 0 && score > _beams[index - 1].Score; index--)
        {
            _beams[index] = _beams[index - 1];
        }

        _beams[index] = (tokens.ToArray(), score);
    }

    /// <summary>Whether a live beam with this running score could still beat the worst kept hypothesis.</summary>
    internal bool CanImprove(float bestSumLogProbs, int length) =>
        _beams[^1].Score < bestSumLogProbs / MathF.Pow(length, _lengthPenalty);
}
