namespace AkashML.Bench.Engine;

/// <summary>
/// Aggregate generation throughput (tokens/s over wall time) of <see cref="Streams"/> concurrent greedy streams (medians over the measured runs),
/// with continuous batching and with one generator per stream, and the largest batch the scheduler formed.
/// </summary>
public sealed record ConcurrencyBenchmarkResult(
    int Streams,
    double BatchedTokensPerSecond,
    double UnbatchedTokensPerSecond,
    int MaxBatchObserved);
