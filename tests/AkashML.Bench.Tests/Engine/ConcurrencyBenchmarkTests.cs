using AkashML.Bench.Engine;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tests.Serving.Batching;

namespace AkashML.Bench.Tests.Engine;

public sealed class ConcurrencyBenchmarkTests(BatchingFixture fixture) : IClassFixture<BatchingFixture>
{
    [Fact]
    public void Reports_batched_and_unbatched_throughput_per_stream_count()
    {
        var results = ConcurrencyBenchmark.Run(fixture.Folder, [1, 3], promptTokens: 8, generatedTokens: 24, runs: 1, maxBatchSize: 4,
            new ModelOptions { IntraOpThreads = 1 });
        Assert.Equal([1, 3], results.Select(r => r.Streams));
        Assert.All(results, r => Assert.True(r.BatchedTokensPerSecond > 0 && r.UnbatchedTokensPerSecond > 0));
        Assert.InRange(results[^1].MaxBatchObserved, 1, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => ConcurrencyBenchmark.Run(fixture.Folder, [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConcurrencyBenchmark.Run(fixture.Folder, [1], promptTokens: 32768, generatedTokens: 2));
    }
}
