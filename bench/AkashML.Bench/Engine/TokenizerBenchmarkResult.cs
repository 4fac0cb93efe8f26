namespace AkashML.Bench.Engine;

/// <summary>What <see cref="TokenizerBenchmark"/> measured: encode time and throughput over the runs, p25 / median / p75.</summary>
public sealed record TokenizerBenchmarkResult(
    string Tokenizer,
    int Characters,
    int Tokens,
    int Runs,
    Spread EncodeMs,
    Spread CharactersPerSecond);
