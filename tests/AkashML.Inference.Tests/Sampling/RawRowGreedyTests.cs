using AkashML.Inference.Generation;
using AkashML.Inference.Generation.Sampling;
using AkashML.Inference.Native;
using AkashML.Inference.Runtime;

namespace AkashML.Inference.Tests.Sampling;

/// <summary>
/// Greedy choice straight from a model's fp16 or fp32 row must pick exactly what converting the row to fp32 and
/// selecting from that picks: the first maximum, −0 equal to +0, NaN never winning, logit bias and bans applied.
/// </summary>
public sealed unsafe class RawRowGreedyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(32000)]
    public void Fp16_and_fp32_row_maxima_match_the_fp32_argmax(int length)
    {
        var random = new Random(length);
        for (var trial = 0; trial < 60; trial++)
        {
            var halves = RandomRow(random, length, trial);
            var singles = halves.Select(h => (float)h).ToArray();
            var expected = GreedyTokenSelector.ArgMax(singles);
            fixed (Half* h = halves)
            fixed (float* f = singles)
            {
                foreach (var row in new[] { new LogitsRow(h, TensorElementType.Float16, length), new LogitsRow(f, length) })
                {
                    if (row.TryArgMax(out var index))
                    {
                        Assert.Equal(expected, index);
                    }
                    else
                    {
                        // Only a non-finite maximum is left to the fp32 rules.
                        var top = singles.Where(x => !float.IsNaN(x)).DefaultIfEmpty(float.NegativeInfinity).Max();
                        Assert.True(float.IsInfinity(top) || singles.Any(x => float.IsNaN(x) && BitConverter.SingleToInt32Bits(x) > 0));
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(32000)]
    public void Greedy_selection_from_the_raw_row_with_bias_matches_selection_from_fp32(int length)
    {
        var random = new Random(length + 1);
        var fastPaths = 0;
        for (var trial = 0; trial < 80; trial++)
        {
            var halves = RandomRow(random, length, trial);
            var singles = halves.Select(h => (float)h).ToArray();
            var bias = new Dictionary<int, float>();
            for (var k = 0; k < 3; k++)
            {
                // Bans, pushes onto the maximum, and biases that tie another token exactly.
                bias[random.Next(length)] = ((k + trial) % 3) switch { 0 => -100f, 1 => random.Next(-4, 5) / 4f, _ => 100f * (trial % 2) };
            }

            var options = new SamplingOptions { Temperature = 0f, LogitBias = bias };
            var expected = new TokenSelector(options, length).Select((float[])singles.Clone(), null).TokenId;
            fixed (Half* h = halves)
            fixed (float* f = singles)
            {
                foreach (var row in new[] { new LogitsRow(h, TensorElementType.Float16, length), new LogitsRow(f, length) })
                {
                    if (new TokenSelector(options, length).TrySelectGreedy(row, out var token))
                    {
                        fastPaths++;
                        Assert.Equal(expected, token);
                    }
                }
            }
        }

        Assert.True(fastPaths > 40, $"the raw-row path decided only {fastPaths} of 160 rows");
    }

    [Fact]
    public void Sampling_penalties_and_log_probabilities_are_left_to_the_fp32_path()
    {
        float[] singles = [1f, 3f, 2f];
        fixed (float* f = singles)
        {
            var row = new LogitsRow(f, singles.Length);
            Assert.True(new TokenSelector(new SamplingOptions { Temperature = 0f }, 3).TrySelectGreedy(row, out var token));
            Assert.Equal(1, token);
            Assert.False(new TokenSelector(new SamplingOptions { Temperature = 1f, Seed = 1 }, 3).TrySelectGreedy(row, out _));
            Assert.False(new TokenSelector(new SamplingOptions { Temperature = 0f, FrequencyPenalty = 0.5f }, 3).TrySelectGreedy(row, out _));
            Assert.False(new TokenSelector(new SamplingOptions { Temperature = 0f, RepetitionPenalty = 1.2f }, 3).TrySelectGreedy(row, out _));
            Assert.False(new TokenSelector(new SamplingOptions { Temperature = 0f, LogitBias = new Dictionary<int, float> { [1] = -1f } }, 3).TrySelectGreedy(row, out _));
        }
    }

    /// <summary>Coarse values (many ties) with ±0, and in some trials NaNs (both signs) and infinities.</summary>
    private static Half[] RandomRow(Random random, int length, int trial)
    {
        var row = new Half[length];
        for (var i = 0; i < length; i++)
        {
            row[i] = (Half)(random.Next(-40, 41) / 8f);
        }

        for (var k = 0; k < Math.Min(4, length); k++)
        {
            var at = random.Next(length);
            row[at] = (trial % 6) switch
            {
                0 => Half.NegativeZero,
                1 => (Half)0f,
                2 => Half.NaN,
                3 => BitConverter.Int16BitsToHalf(0x7E01),
                4 => Half.NegativeInfinity,
                _ => trial % 12 == 5 ? Half.PositiveInfinity : (Half)5f,
            };
        }

        return row;
    }
}
