using AkashML.Web.Limits;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>The window arithmetic behind admission, Retry-After and the rate-limit headers.</summary>
public sealed class SlidingWindowTests
{
    private const long W = SlidingWindow.WindowMs;

    [Fact]
    public void The_wait_is_exactly_the_first_millisecond_at_which_the_request_fits()
    {
        var random = new Random(20261122);
        for (var i = 0; i < 20_000; i++)
        {
            var limit = random.Next(1, 500);
            var previous = random.Next(0, limit + 1);
            var current = random.Next(0, limit + 1);
            var elapsed = random.Next(0, (int)W);
            var cost = random.Next(1, limit + 1);
            if (!SlidingWindow.Fits(limit, previous, current, elapsed))
            {
                // Not a state admission can leave behind.
                continue;
            }

            var wait = SlidingWindow.WaitMs(limit, previous, current, elapsed, cost);
            Assert.NotNull(wait);
            Assert.True(FitsAt(elapsed + wait.Value), $"limit {limit}, previous {previous}, current {current}, at {elapsed}, cost {cost}: not fitting after {wait}");
            Assert.True(wait == 0 || !FitsAt(elapsed + wait.Value - 1), $"limit {limit}, previous {previous}, current {current}, at {elapsed}, cost {cost}: fits before {wait}");

            bool FitsAt(long t) => t < W ? SlidingWindow.Fits(limit, previous, current + cost, t)
                : t < 2 * W ? SlidingWindow.Fits(limit, current, cost, t - W)
                : SlidingWindow.Fits(limit, 0, cost, t - (2 * W));
        }
    }

    [Fact]
    public void More_than_the_whole_limit_never_fits()
    {
        Assert.Null(SlidingWindow.WaitMs(100, 0, 0, 0, 101));
        Assert.Equal(0, SlidingWindow.WaitMs(100, 0, 0, 0, 100));
    }

    [Fact]
    public void A_full_window_fifteen_seconds_in_reports_what_the_headers_say()
    {
        Assert.Equal(0, SlidingWindow.Remaining(60, 0, 60, 15_000));
        Assert.Equal(46_000, SlidingWindow.WaitMs(60, 0, 60, 15_000, 1));
        Assert.Equal(105_000, SlidingWindow.ResetMs(0, 60, 15_000));
        // Half way through the next minute half of the previous minute still counts.
        Assert.Equal(30, SlidingWindow.Remaining(60, 60, 0, 30_000));
        Assert.Equal(30_000, SlidingWindow.ResetMs(60, 0, 30_000));
        Assert.Equal(0, SlidingWindow.ResetMs(0, 0, 30_000));
    }

    [Theory]
    [InlineData(-5, "0s")]
    [InlineData(0, "0s")]
    [InlineData(250, "250ms")]
    [InlineData(1000, "1s")]
    [InlineData(8640, "8.64s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(105_000, "1m45s")]
    [InlineData(3_723_500, "1h2m3.5s")]
    public void Reset_durations_are_written_the_way_OpenAI_writes_them(long milliseconds, string expected) =>
        Assert.Equal(expected, RateLimitHeaders.OpenAiDuration(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "1")]
    [InlineData(45_001, "46")]
    [InlineData(46_000, "46")]
    public void Seconds_round_up_so_a_client_is_never_early(long milliseconds, string expected) =>
        Assert.Equal(expected, RateLimitHeaders.Seconds(TimeSpan.FromMilliseconds(milliseconds)));
}
