using AkashML.Bench.Engine;
using AkashML.Inference.Tests.Serving.Batching;

namespace AkashML.Bench.Tests.Engine;

public sealed class TokenizerBenchmarkTests(BatchingFixture fixture) : IClassFixture<BatchingFixture>
{
    [Fact]
    public void Reports_encode_time_and_throughput_over_the_runs()
    {
        var result = TokenizerBenchmark.Run(fixture.Folder, characters: 2_000, runs: 3);
        Assert.Equal(2_000, result.Characters);
        Assert.Equal(3, result.Runs);
        Assert.True(result.Tokens > 0);
        Assert.True(result.EncodeMs.P25 > 0 && result.EncodeMs.P25 <= result.EncodeMs.Median && result.EncodeMs.Median <= result.EncodeMs.P75);
        Assert.True(result.CharactersPerSecond.Median > 0);
        Assert.Equal(TokenizerBenchmark.EnglishText(500), TokenizerBenchmark.EnglishText(500));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenizerBenchmark.Run(fixture.Folder, characters: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenizerBenchmark.Run(fixture.Folder, runs: 0));
    }
}
