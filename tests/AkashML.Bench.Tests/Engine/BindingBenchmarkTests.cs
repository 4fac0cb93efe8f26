using AkashML.Bench.Engine;
using AkashML.Inference.Tests.Serving.Batching;

namespace AkashML.Bench.Tests.Engine;

public sealed class BindingBenchmarkTests(BatchingFixture fixture) : IClassFixture<BatchingFixture>
{
    [Fact]
    public void Reports_decode_steps_per_second_through_both_bindings()
    {
        var result = BindingBenchmark.Run(fixture.Folder, steps: 8, rounds: 2);
        Assert.Equal(8, result.Steps);
        Assert.Equal(2, result.Rounds);
        Assert.All(new[] { result.OursWall, result.ManagedWall, result.OursCpu, result.ManagedCpu }, spread => Assert.True(spread.P25 > 0));
        Assert.True(result.WallRatio > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => BindingBenchmark.Run(fixture.Folder, steps: 0));
    }
}
