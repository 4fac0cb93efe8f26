using AkashML.Inference.Generation.Sampling;

namespace AkashML.Inference.Tests.Sampling;

public sealed class LogitMathTests
{
    [Theory]
    [InlineData(0.3f, 1f)]
    [InlineData(0.9f, 0.5f)]
    [InlineData(0.9f, 2f)]
    [InlineData(0.99f, 1f)]
    [InlineData(0.5f, 0.05f)]
    public void Nucleus_search_matches_a_full_sort(float topP, float temperature)
    {
        var logits = TestLogits.Gaussian(20011, seed: (int)(topP * 100), scale: 1f);
        var weights = new float[logits.Length];
        var total = LogitMath.ExpShifted(logits, logits.Max(), 1f / temperature, weights);

        var threshold = NucleusSearch.WeightThreshold(weights, topP * total);

        var sorted = weights.OrderDescending().ToArray();
        var expectedCount = 0;
        for (var mass = 0.0; mass < topP * total; expectedCount++)
        {
            mass += sorted[expectedCount];
        }

        var keptCount = weights.Count(w => w >= threshold);
        // Summation order differs from the reference, so the boundary may move by one token.
        Assert.InRange(keptCount, expectedCount - 1, expectedCount + 1);
    }

    [Fact]
    public void Nucleus_search_handles_weights_spread_over_many_binades()
    {
        // Weights 2^-k: the top n sum to 2 - 2^-(n-1); reaching 0.99 of the total (almost 2) takes n = 7.
        var weights = Enumerable.Range(0, 40).Select(k => MathF.Pow(2f, -k)).Reverse().ToArray();

        var threshold = NucleusSearch.WeightThreshold(weights, 0.99 * weights.Sum());

        Assert.Equal(MathF.Pow(2f, -6), threshold);
    }

    [Fact]
    public void Nucleus_search_keeps_ties_at_the_boundary_together()
    {
        var weights = Enumerable.Repeat(0.5f, 2000).Append(1f).ToArray();

        var threshold = NucleusSearch.WeightThreshold(weights, 0.5 * weights.Sum());

        Assert.Equal(0.5f, threshold);
    }

    [Fact]
    public void Draw_index_follows_the_running_sum_and_skips_zero_weights()
    {
        var weights = new float[3000];
        weights[5] = 1f;
        weights[2500] = 3f;

        Assert.Equal(5, LogitMath.DrawIndex(weights, 0.0));
        Assert.Equal(5, LogitMath.DrawIndex(weights, 0.999));
        Assert.Equal(2500, LogitMath.DrawIndex(weights, 1.0));
        Assert.Equal(2500, LogitMath.DrawIndex(weights, 3.999));
        Assert.Equal(2500, LogitMath.DrawIndex(weights, 4.5));
    }

    [Fact]
    public void Sanitized_max_turns_nan_into_negative_infinity_and_caps_positive_infinity()
    {
        var logits = new float[37];
        logits[3] = float.NaN;
        logits[36] = float.PositiveInfinity;

        var max = LogitMath.SanitizedMax(logits);

        Assert.Equal(float.MaxValue, max);
        Assert.Equal(float.NegativeInfinity, logits[3]);
        Assert.Equal(36, LogitMath.IndexOf(logits, max));
    }

    [Theory]
    [InlineData(32003, 1f)]
    [InlineData(1000, 1f)]
    [InlineData(37, 0.7f)]
    public void Candidate_exponentials_and_the_bare_sum_equal_the_whole_vocabulary_pass_bit_for_bit(int vocabulary, float scale)
    {
        var logits = TestLogits.Gaussian(vocabulary, seed: 11);
        var max = logits.Max();
        var weights = new float[vocabulary];
        var total = LogitMath.ExpShifted(logits, max, scale, weights);

        // Every index, in an order that mixes vectorised-part and tail indices within one gathered vector.
        var ids = Enumerable.Range(0, vocabulary).Reverse().ToArray();
        var picked = new float[vocabulary];
        LogitMath.ExpShiftedAt(logits, ids, max, scale, picked);

        Assert.Equal(total, LogitMath.SumExpShifted(logits, max, scale));
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(weights[ids[i]]), BitConverter.SingleToInt32Bits(picked[i]));
        }
    }
}
