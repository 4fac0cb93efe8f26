namespace AkashML.Bench.Engine;

/// <summary>
/// What one long prompt does to <see cref="ShortStreams"/> streams that are already decoding, with chunked prefill
/// (<see cref="ChunkTokens"/>) and without: the worst gap between two consecutive tokens of any short stream, and the
/// long request's time to first token (medians over the measured runs, in milliseconds).
/// </summary>
public sealed record PrefillStallBenchmarkResult(
    int ShortStreams,
    int LongPromptTokens,
    int ChunkTokens,
    double WorstGapChunkedMs,
    double WorstGapUnchunkedMs,
    double LongFirstTokenChunkedMs,
    double LongFirstTokenUnchunkedMs);
