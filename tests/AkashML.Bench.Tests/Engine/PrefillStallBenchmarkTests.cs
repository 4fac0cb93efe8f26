using AkashML.Bench.Engine;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tests.Serving.Batching;

namespace AkashML.Bench.Tests.Engine;

public sealed class PrefillStallBenchmarkTests(BatchingFixture fixture) : IClassFixture<BatchingFixture>
{
    [Fact]
    public void Reports_the_short_streams_worst_gap_with_and_without_chunked_prefill()
    {
        var result = PrefillStallBenchmark.Run(fixture.Folder, shortStreams: 2, longPromptTokens: 600, chunkTokens: 64, runs: 1, maxBatchSize: 4,
            new ModelOptions { IntraOpThreads = 1 });
        Assert.Equal((2, 600, 64), (result.ShortStreams, result.LongPromptTokens, result.ChunkTokens));
        Assert.True(result.WorstGapChunkedMs > 0 && result.WorstGapUnchunkedMs > 0);
        Assert.True(result.LongFirstTokenChunkedMs > 0 && result.LongFirstTokenUnchunkedMs > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => PrefillStallBenchmark.Run(fixture.Folder, longPromptTokens: 64, chunkTokens: 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => PrefillStallBenchmark.Run(fixture.Folder, shortStreams: 8, maxBatchSize: 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => PrefillStallBenchmark.Run(fixture.Folder, longPromptTokens: 40_000));
    }
}
