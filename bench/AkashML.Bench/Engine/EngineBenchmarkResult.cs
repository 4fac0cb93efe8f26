namespace AkashML.Bench.Engine;

/// <summary>p25 / median / p75 over the measured runs of one model folder, after <paramref name="WarmUpRuns"/> uncounted runs.</summary>
public sealed record EngineBenchmarkResult(
    string Model,
    int PromptTokens,
    int GeneratedTokens,
    int Runs,
    int WarmUpRuns,
    Spread PrefillTokensPerSecond,
    Spread DecodeTokensPerSecond,
    Spread TimeToFirstTokenMs,
    double PeakRssMb);
