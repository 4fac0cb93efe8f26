namespace AkashML.Bench.Engine;

/// <summary>
/// What the prefix cache buys (medians over the measured runs, milliseconds and tokens per second): the time to first
/// token of a request sent twice (<see cref="RequestTokens"/> prompt tokens, the second reusing
/// <see cref="SecondCachedTokens"/> of them), and the aggregate decode throughput of <see cref="Streams"/> concurrent
/// streams whose prompts share a <see cref="PrefixTokens"/>-token prefix, with the cache and without.
/// </summary>
public sealed record PrefixCacheBenchmarkResult(
    int RequestTokens,
    double FirstTimeToFirstTokenMs,
    double SecondTimeToFirstTokenMs,
    int SecondCachedTokens,
    int Streams,
    int PrefixTokens,
    int GeneratedTokens,
    double CachedTokensPerSecond,
    double UncachedTokensPerSecond,
    double CachedMeanTimeToFirstTokenMs,
    double UncachedMeanTimeToFirstTokenMs)
{
    /// <summary>The second request's time to first token as a fraction of the first's (the target is at most 0.10).</summary>
    public double SecondToFirstRatio => SecondTimeToFirstTokenMs / FirstTimeToFirstTokenMs;
}
