namespace AkashML.Inference.Benchmarks;

/// <summary>Medians over the measured runs of one model folder.</summary>
public sealed record EngineBenchmarkResult(
    string Model,
    int PromptTokens,
    int GeneratedTokens,
    int Runs,
    double PrefillTokensPerSecond,
    double DecodeTokensPerSecond,
    double TimeToFirstTokenMs,
    double PeakRssMb);
