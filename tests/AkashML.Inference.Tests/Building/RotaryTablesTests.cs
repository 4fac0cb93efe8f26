using AkashML.Inference.Building.Llama;

namespace AkashML.Inference.Tests.Building;

public sealed class RotaryTablesTests
{
    [Fact]
    public void Frequencies_follow_theta_to_the_minus_two_i_over_d()
    {
        var f = RotaryTables.InverseFrequencies(8, 10000, RopeScaling.None);
        Assert.Equal(4, f.Length);
        Assert.Equal(1f, f[0]);
        Assert.Equal(0.1f, f[1], 6);
        Assert.Equal(0.01f, f[2], 6);
        var (cos, sin) = RotaryTables.Create(3, 8, 10000, RopeScaling.None);
        Assert.Equal(MathF.Cos(2 * 0.1f), cos[(2 * 4) + 1], 6);
        Assert.Equal(MathF.Sin(2f), sin[2 * 4], 6);
    }

    [Fact]
    public void Linear_scaling_divides_frequencies()
    {
        var plain = RotaryTables.InverseFrequencies(16, 10000, RopeScaling.None);
        var scaled = RotaryTables.InverseFrequencies(16, 10000, new RopeScaling(RopeScalingKind.Linear, 4));
        for (var i = 0; i < plain.Length; i++)
        {
            Assert.Equal(plain[i] / 4, scaled[i], 6);
        }
    }

    [Fact]
    public void Llama3_scaling_keeps_high_frequencies_and_divides_low_ones()
    {
        var scaling = new RopeScaling(RopeScalingKind.Llama3, 8, 1, 4, 8192);
        var plain = RotaryTables.InverseFrequencies(128, 500000, RopeScaling.None);
        var scaled = RotaryTables.InverseFrequencies(128, 500000, scaling);
        Assert.Equal(plain[0], scaled[0]);
        Assert.Equal(plain[^1] / 8, scaled[^1], 9);
        for (var i = 0; i < plain.Length; i++)
        {
            Assert.InRange(scaled[i], (plain[i] / 8) - 1e-9f, plain[i] + 1e-9f);
        }
    }
}
