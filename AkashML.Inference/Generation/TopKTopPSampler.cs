namespace AkashML.Inference.Generation;

/// <summary>
/// GenAI's CPU sampling: top_k &gt; 1 with 0 &lt; top_p &lt; 1 samples the shortest top-k prefix whose probability reaches
/// top_p; top_k &gt; 1 alone samples softmax over the top k; top_k 0 samples the nucleus over the whole vocabulary.
/// Temperature divides the logits. One instance (one random stream) serves all rows of a generator, in row order.
/// </summary>
public sealed class TopKTopPSampler : ITokenSelector
{
    private readonly int _topK;
    private readonly float _topP;
    private readonly float _temperature;
    private readonly Random _random;
    private int[] _indices = [];
    private float[] _weights = [];

    public TopKTopPSampler(int topK, float topP, float temperature, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        if (topP is < 0 or > 1 || float.IsNaN(topP))
        {
            throw new ArgumentOutOfRangeException(nameof(topP), topP, "top_p must be in [0, 1].");
        }

        if (!(temperature > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be > 0 for sampling.");
        }

        _topK = topK;
        _topP = topP;
        _temperature = temperature;
        _random = seed >= 0 ? new Random(unchecked((int)seed ^ (int)(seed >> 32))) : new Random();
    }

    public int SelectToken(ReadOnlySpan<float> logits, ReadOnlySpan<int> sequence)
    {
        if (_topK > 1)
        {
            var k = Math.Min(_topK, logits.Length);
            var count = TopK(logits, k);
            var weights = _weights.AsSpan(0, count);
            for (var i = 0; i < count; i++)
            {
                weights[i] = logits[_indices[i]] / _temperature;
            }

            Softmax(weights);
            if (_topP > 0 && _topP < 1)
            {
                var cumulative = 0f;
                var cutoff = count;
                for (var i = 0; i < count; i++)
                {
                    cumulative += weights[i];
                    if (cumulative >= _topP)
                    {
                        cutoff = i + 1;
                        break;
                    }
                }

                weights = weights[..cutoff];
            }

            return _indices[Draw(weights)];
        }

        return Nucleus(logits);
    }

    private int Nucleus(ReadOnlySpan<float> logits)
    {
        var n = logits.Length;
        Ensure(n);
        var weights = _weights.AsSpan(0, n);
        var indices = _indices.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            weights[i] = logits[i] / _temperature;
            indices[i] = i;
        }

        Softmax(weights);

        // Sort descending by probability (negate keys for an ascending sort).
        for (var i = 0; i < n; i++)
        {
            weights[i] = -weights[i];
        }

        weights.Sort(indices);
        var cumulative = 0f;
        var cutoff = n;
        for (var i = 0; i < n; i++)
        {
            weights[i] = -weights[i];
            cumulative += weights[i];
            if (cumulative >= _topP)
            {
                cutoff = i + 1;
                break;
            }
        }

        return indices[Draw(weights[..cutoff])];
    }

    /// <summary>Writes the indices of the k largest logits, largest first, into _indices; returns k.</summary>
    private int TopK(ReadOnlySpan<float> logits, int k)
    {
        Ensure(Math.Max(k, 1));
        var count = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            var score = logits[i];
            if (count == k && !(score > logits[_indices[count - 1]]))
            {
                continue;
            }

            var position = count < k ? count++ : k - 1;
            while (position > 0 && score > logits[_indices[position - 1]])
            {
                _indices[position] = _indices[position - 1];
                position--;
            }

            _indices[position] = i;
        }

        return count;
    }

    private int Draw(ReadOnlySpan<float> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }

        var target = _random.NextDouble() * total;
        var cumulative = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            cumulative += weights[i];
            if (target < cumulative)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    private static void Softmax(Span<float> values)
    {
        var max = float.NegativeInfinity;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }

        var sum = 0f;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = MathF.Exp(values[i] - max);
            sum += values[i];
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] /= sum;
        }
    }

    private void Ensure(int size)
    {
        if (_indices.Length < size)
        {
            _indices = new int[size];
            _weights = new float[size];
        }
    }
}
