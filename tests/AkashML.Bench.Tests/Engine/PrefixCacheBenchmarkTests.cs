using AkashML.Bench.Engine;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tests.Serving.Batching;

namespace AkashML.Bench.Tests.Engine;

public sealed class PrefixCacheBenchmarkTests(BatchingFixture fixture) : IClassFixture<BatchingFixture>
{
    [Fact]
    public void Reports_time_to_first_token_of_a_repeated_request_and_shared_prefix_throughput_with_and_without_the_cache()
    {
        var result = PrefixCacheBenchmark.Run(fixture.Folder, requestTokens: 200, prefixTokens: 160, streams: 3, generatedTokens: 4, runs: 1, maxBatchSize: 4,
            blockTokens: 16, options: new ModelOptions { IntraOpThreads = 1 });
        Assert.Equal((200, 3, 160, 4), (result.RequestTokens, result.Streams, result.PrefixTokens, result.GeneratedTokens));
        // All of the repeated prompt but the block holding its last token.
        Assert.Equal(192, result.SecondCachedTokens);
        Assert.True(result.FirstTimeToFirstTokenMs > 0 && result.SecondTimeToFirstTokenMs > 0);
        Assert.True(result.CachedTokensPerSecond > 0 && result.UncachedTokensPerSecond > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => PrefixCacheBenchmark.Run(fixture.Folder, prefixTokens: 40_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => PrefixCacheBenchmark.Run(fixture.Folder, prefixTokens: 8, blockTokens: 16));
    }
}
