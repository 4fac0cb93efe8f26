using AkashML.Bench.Engine;

namespace AkashML.Bench.Tests.Engine;

public sealed class WarmUpTests
{
    [Fact]
    public void Warm_up_stops_once_three_runs_agree()
    {
        var runs = Sequence(0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1);

        Assert.Equal(5, WarmUp.UntilSettled(runs));
    }

    [Fact]
    public void Steady_short_runs_still_warm_up_for_half_a_second()
    {
        // 40 ms runs agree from the start, but the JIT tiers up only after its 100 ms quiet period.
        Assert.Equal(13, WarmUp.UntilSettled(() => 0.04));
    }

    [Fact]
    public void Runs_that_never_settle_stop_at_the_run_bound()
    {
        var flip = false;

        Assert.Equal(WarmUp.MaxRuns, WarmUp.UntilSettled(() => (flip = !flip) ? 0.1 : 0.2));
    }

    [Fact]
    public void Slow_runs_that_never_settle_stop_at_the_time_bound()
    {
        var flip = false;

        Assert.Equal(2, WarmUp.UntilSettled(() => (flip = !flip) ? 4.0 : 6.0));
    }

    private static Func<double> Sequence(params double[] seconds)
    {
        var next = 0;
        return () => seconds[Math.Min(next++, seconds.Length - 1)];
    }
}
