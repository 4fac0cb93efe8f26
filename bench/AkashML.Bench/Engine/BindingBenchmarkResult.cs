namespace AkashML.Bench.Engine;

/// <summary>What <see cref="BindingBenchmark"/> measured: decode steps per second through each binding, p25 / median / p75.</summary>
public sealed record BindingBenchmarkResult(
    string Model,
    string KvType,
    int VocabSize,
    int Steps,
    int Rounds,
    Spread OursWall,
    Spread ManagedWall,
    Spread OursCpu,
    Spread ManagedCpu)
{
    /// <summary>Our median wall-time rate over the managed binding's.</summary>
    public double WallRatio => OursWall.Median / ManagedWall.Median;

    /// <summary>Our median CPU-time rate over the managed binding's.</summary>
    public double CpuRatio => OursCpu.Median / ManagedCpu.Median;
}
