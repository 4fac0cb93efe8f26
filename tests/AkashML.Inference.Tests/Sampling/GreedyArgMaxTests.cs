using AkashML.Inference.Generation;

namespace AkashML.Inference.Tests.Sampling;

/// <summary>The vectorised greedy argmax keeps GenAI's rule: the first maximum wins, NaN never does.</summary>
public sealed class GreedyArgMaxTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(32000)]
    public void Matches_the_first_maximum_rule_on_random_rows_with_ties(int length)
    {
        var random = new Random(length);
        for (var trial = 0; trial < 50; trial++)
        {
            // Coarse values make ties common, across vector lanes and the scalar tail.
            var logits = Enumerable.Range(0, length).Select(_ => (float)random.Next(-20, 21) / 4).ToArray();
            Assert.Equal(Reference(logits), GreedyTokenSelector.ArgMax(logits));
        }
    }

    [Fact]
    public void NaN_never_wins_and_an_earlier_negative_zero_beats_a_later_positive_zero()
    {
        float[] withNaN = [1f, float.NaN, 3f, 2f, float.NaN];
        Assert.Equal(2, GreedyTokenSelector.ArgMax(withNaN));
        float[] zeros = [-1f, -0f, 0f, -2f];
        Assert.Equal(1, GreedyTokenSelector.ArgMax(zeros));
        float[] allNegativeInfinity = [float.NegativeInfinity, float.NegativeInfinity];
        Assert.Equal(0, GreedyTokenSelector.ArgMax(allNegativeInfinity));
    }

    private static int Reference(float[] logits)
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
}
