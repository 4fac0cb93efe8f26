namespace AkashML.Inference.Generation;

/// <summary>
/// HF BeamSearchScorer as ONNX Runtime GenAI ports it: takes the top 2 × num_beams (score, token, beam) candidates of
/// each batch row, turns EOS candidates ranked within the first num_beams into finished hypotheses, fills the next
/// beams with the others, and ends a row once it has num_beams hypotheses (early_stopping) or cannot improve.
/// </summary>
internal sealed class BeamSearchScorer
{
    private readonly int _batchSize;
    private readonly int _numBeams;
    private readonly int _eosTokenId;
    private readonly int _padTokenId;
    private readonly bool _earlyStopping;
    private readonly BeamHypotheses[] _hypotheses;
    private int _notDone;
    private bool _finalized;

    internal BeamSearchScorer(int batchSize, int numBeams, float lengthPenalty, bool earlyStopping, int eosTokenId, int padTokenId)
    {
        _batchSize = batchSize;
        _numBeams = numBeams;
        _eosTokenId = eosTokenId;
        _padTokenId = padTokenId;
        _earlyStopping = earlyStopping;
        _notDone = batchSize;
        _hypotheses = new BeamHypotheses[batchSize];
        for (var b = 0; b < batchSize; b++)
        {
            _hypotheses[b] = new BeamHypotheses(numBeams, lengthPenalty);
        }

        var rows = batchSize * numBeams;
        NextScores = new float[rows];
        NextTokens = new int[rows];
        NextIndices = new int[rows];

        // Only the first beam of each row starts live, so the identical beams do not all pick the same tokens.
        for (var b = 0; b < batchSize; b++)
        {
            for (var k = 1; k < numBeams; k++)
            {
                NextScores[(b * numBeams) + k] = -1e9f;
            }
        }
    }

    /// <summary>Running sum of log-probabilities per beam row.</summary>
    internal float[] NextScores { get; }

    internal int[] NextTokens { get; }

    /// <summary>For each new beam row, the (global) row it continues.</summary>
    internal int[] NextIndices { get; }

    internal bool IsDone => _notDone == 0;

    /// <param name="sequences">rows × <paramref name="stride"/> tokens; the first <paramref name="length"/> of each row are valid.</param>
    /// <param name="candidateScores">batch × 2·num_beams candidates, best first per batch row.</param>
    internal void Process(
        ReadOnlySpan<int> sequences,
        int stride,
        int length,
        ReadOnlySpan<float> candidateScores,
        ReadOnlySpan<int> candidateTokens,
        ReadOnlySpan<int> candidateBeams)
    {
        var topK = 2 * _numBeams;
        for (var batch = 0; batch < _batchSize; batch++)
        {
            var hypotheses = _hypotheses[batch];
            if (hypotheses.Done)
            {
                for (var k = 0; k < _numBeams; k++)
                {
                    var row = (batch * _numBeams) + k;
                    NextScores[row] = 0;
                    NextTokens[row] = _padTokenId;
                    NextIndices[row] = batch * _numBeams;
                }

                continue;
            }

            var beam = 0;
            for (var j = 0; j < topK; j++)
            {
                var token = candidateTokens[(batch * topK) + j];
                var score = candidateScores[(batch * topK) + j];
                var source = (batch * _numBeams) + candidateBeams[(batch * topK) + j];
                if (token == _eosTokenId)
                {
                    if (j >= _numBeams)
                    {
                        continue;
                    }

                    hypotheses.Add(sequences.Slice(source * stride, length), score);
                }
                else
                {
                    var row = (batch * _numBeams) + beam;
                    NextScores[row] = score;
                    NextTokens[row] = token;
                    NextIndices[row] = source;
                    beam++;
                }

                if (beam == _numBeams)
                {
                    break;
                }
            }

            if (hypotheses.Count < _numBeams)
            {
                continue;
            }

            if (!_earlyStopping)
            {
                var best = float.NegativeInfinity;
                for (var j = 0; j < topK; j++)
                {
                    best = Math.Max(best, candidateScores[(batch * topK) + j]);
                }

                if (hypotheses.CanImprove(best, length))
                {
                    continue;
                }
            }

            hypotheses.Done = true;
            _notDone--;
        }
    }

    /// <summary>Adds the live beams of unfinished rows as hypotheses with their running scores (once).</summary>
    internal void Finalize(ReadOnlySpan<int> sequences, int stride, int length)
    {
        if (_finalized)
        {
            return;
        }

        _finalized = true;
        for (var batch = 0; batch < _batchSize; batch++)
        {
            var hypotheses = _hypotheses[batch];
            if (hypotheses.Done)
            {
                continue;
            }

            for (var k = 0; k < _numBeams; k++)
            {
                var row = (batch * _numBeams) + k;
                hypotheses.Add(sequences.Slice(row * stride, length), NextScores[row]);
            }
        }
    }

    /// <summary>The <paramref name="rank"/>-th best hypothesis of a batch row (after <see cref="Finalize"/>).</summary>
    internal ReadOnlySpan<int> Hypothesis(int batch, int rank) => _hypotheses[batch].Get(rank);

    internal float HypothesisScore(int batch, int rank) => _hypotheses[batch].ScoreOf(rank);
}
