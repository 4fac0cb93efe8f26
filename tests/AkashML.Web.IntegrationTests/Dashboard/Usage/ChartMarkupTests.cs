using System.Globalization;
using System.Text.RegularExpressions;
using AkashML.Web.Components.Charts;

namespace AkashML.Web.IntegrationTests.Dashboard.Usage;

public sealed partial class ChartMarkupTests
{
    [Fact]
    public async Task Stacked_bars_are_proportional_to_their_values_on_a_round_axis()
    {
        var html = await MarkupRenderer.RenderDecodedAsync<BarChart>(new Dictionary<string, object?>
        {
            ["Labels"] = new[] { "Mon", "Tue", "Wed", "Thu" },
            ["Series"] = new[] { new ChartSeries("Input", "input", [10, 0, 30, 5]), new ChartSeries("Output", "output", [20, 0, 40, 0]) },
            ["Title"] = "Tokens per day",
            ["TestId"] = "t",
        });

        Assert.Contains("role=\"img\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"Tokens per day\"", html, StringComparison.Ordinal);
        // Zero values draw nothing: 3 input bars (10, 30, 5) and 2 output bars (20, 40).
        var rects = Rect().Matches(html).Select(m => (Tone: m.Groups["tone"].Value, Y: Num(m, "y"), Height: Num(m, "h"))).ToList();
        Assert.Equal(3, rects.Count(r => r.Tone == "input"));
        Assert.Equal(2, rects.Count(r => r.Tone == "output"));
        // Four round steps of 20 cover the tallest column (70): the axis reads 0, 20, 40, 60, 80; heights scale linearly.
        Assert.Equal(["0", "20", "40", "60", "80"], Regex.Matches(html, @"text-anchor=""end"">([^<]+)<").Select(m => m.Groups[1].Value));
        var unit = rects.Single(r => r.Tone == "input" && Math.Abs(r.Height - rects.Where(x => x.Tone == "input").Min(x => x.Height)) < 0.01).Height / 5;
        Assert.Equal(10 * unit, rects.Where(r => r.Tone == "input").OrderBy(r => r.Height).ElementAt(1).Height, precision: 1);
        Assert.Equal(40 * unit, rects.Where(r => r.Tone == "output").Max(r => r.Height), precision: 1);
        // Output sits on top of input in the same column.
        var wedInput = rects.Where(r => r.Tone == "input").MaxBy(r => r.Height);
        var wedOutput = rects.Where(r => r.Tone == "output").MaxBy(r => r.Height);
        Assert.Equal(wedInput.Y, wedOutput.Y + wedOutput.Height, precision: 1);
        // Tooltips name every series, and a legend appears for more than one series.
        Assert.Contains("<title>Wed: Input 30, Output 40</title>", html, StringComparison.Ordinal);
        Assert.Contains("am-chart-legend", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_buckets_get_sparse_labels_and_an_all_zero_series_still_renders()
    {
        var labels = Enumerable.Range(0, 31).Select(i => "d" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var html = await MarkupRenderer.RenderDecodedAsync<BarChart>(new Dictionary<string, object?>
        {
            ["Labels"] = labels,
            ["Series"] = new[] { new ChartSeries("Spend", "spend", new double[31]) },
            ["Title"] = "Spend",
        });
        Assert.Equal(31, Regex.Count(html, "class=\"am-chart-bar\""));
        Assert.InRange(Regex.Count(html, "class=\"am-chart-xlabel\""), 4, 9);
        Assert.DoesNotContain("<rect", html, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", html, StringComparison.Ordinal);
        Assert.DoesNotContain("am-chart-legend", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Horizontal_bars_rank_models_with_their_cost()
    {
        var html = await MarkupRenderer.RenderDecodedAsync<HorizontalBars>(new Dictionary<string, object?>
        {
            ["Items"] = new[] { new BarItem("big/model", 300, "$0.30"), new BarItem("small/model", 100, "$0.10") },
            ["Title"] = "Cost by model",
        });
        var widths = Regex.Matches(html, @"<rect[^>]*width=""(?<w>[\d.]+)""").Select(m => double.Parse(m.Groups["w"].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, widths.Count);
        Assert.Equal(3, widths[0] / widths[1], precision: 2);
        Assert.Contains("$0.30", html, StringComparison.Ordinal);
        Assert.Contains("<title>small/model: $0.10</title>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(70, 80)]
    [InlineData(21, 40)]
    [InlineData(4, 4)]
    [InlineData(0.000004, 0.000004)]
    [InlineData(950, 1000)]
    [InlineData(0, 1)]
    public void The_axis_top_is_four_round_steps(double max, double top) =>
        Assert.Equal(top, ChartScale.NiceCeiling(max), precision: 12);

    private static double Num(Match m, string group) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"<rect class=""am-chart-tone-(?<tone>\w+)"" x=""[\d.]+"" y=""(?<y>[\d.]+)"" width=""[\d.]+"" height=""(?<h>[\d.]+)""")]
    private static partial Regex Rect();
}
