namespace AkashML.Inference.Tests.Sampling;

/// <summary>Logits for tests: Gaussian noise, or exact log-probabilities of a chosen distribution.</summary>
internal static class TestLogits
{
    public static float[] Gaussian(int vocabularySize, int seed, float scale = 3f)
    {
        var random = new Random(seed);
        var logits = new float[vocabularySize];
        for (var i = 0; i < logits.Length; i++)
        {
            // Box–Muller.
            var u = 1.0 - random.NextDouble();
            var v = random.NextDouble();
            logits[i] = (float)(scale * Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v));
        }

        return logits;
    }

    public static float[] FromProbabilities(params double[] probabilities) =>
        [.. probabilities.Select(p => (float)Math.Log(p))];

    /// <summary>Log-softmax in double precision, as a reference.</summary>
    public static double[] LogSoftmax(ReadOnlySpan<float> logits)
    {
        var max = double.NegativeInfinity;
        foreach (var x in logits)
        {
            max = Math.Max(max, x);
        }

        var sum = 0.0;
        foreach (var x in logits)
        {
            sum += Math.Exp(x - max);
        }

        var logZ = max + Math.Log(sum);
        var result = new double[logits.Length];
        for (var i = 0; i < logits.Length; i++)
        {
            result[i] = logits[i] - logZ;
        }

        return result;
    }

    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Draws <paramref name="draws"/> tokens from fresh copies of <paramref name="logits"/> and counts them.</summary>
    public static int[] Histogram(Generation.Sampling.TokenSelector selector, float[] logits, int draws)
    {
        var counts = new int[logits.Length];
        var scratch = new float[logits.Length];
        for (var i = 0; i < draws; i++)
        {
            logits.CopyTo(scratch, 0);
            counts[selector.Select(scratch).TokenId]++;
        }

        return counts;
    }
}
