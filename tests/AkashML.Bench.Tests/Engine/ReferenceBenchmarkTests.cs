using AkashML.Bench.Engine;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tests.Serving.Batching;

namespace AkashML.Bench.Tests.Engine;

/// <summary><c>bench engine --reference ortgenai</c>'s engine side: both runtimes measured, the work fixed.</summary>
public sealed class ReferenceBenchmarkTests(BatchingFixture fixture) : IClassFixture<BatchingFixture>
{
    [Fact]
    public void One_stream_reports_both_runtimes_and_their_ratio()
    {
        var result = ReferenceBenchmark.RunSingleStream(fixture.Folder, promptTokens: 8, generatedTokens: 16, runs: 2, new ModelOptions { IntraOpThreads = 1 });
        foreach (var figures in new[] { result.Ours, result.Official })
        {
            Assert.True(figures.DecodeTokensPerSecond.P25 > 0);
            Assert.True(figures.DecodeTokensPerSecond.P25 <= figures.DecodeTokensPerSecond.Median && figures.DecodeTokensPerSecond.Median <= figures.DecodeTokensPerSecond.P75);
            Assert.True(figures.PrefillTokensPerSecond.Median > 0 && figures.TimeToFirstTokenMs.Median > 0);
        }

        Assert.Equal(result.Ours.DecodeTokensPerSecond.Median / result.Official.DecodeTokensPerSecond.Median, result.DecodeRatio, 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceBenchmark.RunSingleStream(fixture.Folder, promptTokens: 32768, generatedTokens: 2));
    }

    [Fact]
    public void Streams_report_ours_against_the_official_static_batch_and_per_stream_generators()
    {
        var results = ReferenceBenchmark.RunStreams(fixture.Folder, [1, 3], promptTokens: 8, generatedTokens: 12, runs: 1, maxBatchSize: 4, new ModelOptions { IntraOpThreads = 1 });
        Assert.Equal([1, 3], results.Select(r => r.Streams));
        Assert.All(results, r =>
        {
            Assert.True(r.OursBatched);
            Assert.True(r.Ours.Median > 0 && r.OfficialStaticBatch.Median > 0 && r.OfficialPerStream.Median > 0);
            Assert.Equal(r.Ours.Median / Math.Max(r.OfficialStaticBatch.Median, r.OfficialPerStream.Median), r.Ratio, 6);
        });
    }
}
