using System.Globalization;
using AkashML.Data.Usage;
using AkashML.Web.Usage;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AkashML.Web.Components.Pages.Usage;

/// <summary>Turns a <see cref="UsageSummary"/> into MudChart series; labels thin out so a month of days stays legible.</summary>
public sealed partial class UsageCharts
{
    /// <summary>At most this many x-axis labels are written; the others stay blank (tooltips still name every bucket).</summary>
    public const int MaxLabels = 8;

    private readonly BarChartOptions moneyOptions = new() { ShowLegend = false, MaxNumYAxisTicks = 5 };
    private readonly StackedBarChartOptions countOptions = new() { YAxisFormat = "#,0", MaxNumYAxisTicks = 5 };
    private readonly LineChartOptions lineOptions = new() { YAxisFormat = "#,0", ShowLegend = false, MaxNumYAxisTicks = 5 };
    private readonly DonutChartOptions donutOptions = new() { ShowLegend = false };

    private string[] labels = [];
    private MoneyScale money = MoneyScale.For(0);
    private List<ChartSeries<double>> spend = [];
    private List<ChartSeries<double>> tokens = [];
    private List<ChartSeries<double>> requests = [];
    private List<ChartSeries<double>> modelSpend = [];
    private string[] modelLabels = [];

    [Parameter, EditorRequired]
    public UsageSummary Summary { get; set; } = default!;

    private string Unit => Summary.Filter.Granularity == UsageGranularity.Hour ? "hour" : "day";

    protected override void OnParametersSet()
    {
        var series = Summary.Series;
        var format = Summary.Filter.Granularity == UsageGranularity.Hour ? "MMM d HH:mm" : "MMM d";
        var every = Math.Max(1, (int)Math.Ceiling(series.Count / (double)MaxLabels));
        labels = [.. series.Select((p, i) => i % every == 0 ? p.Bucket.UtcDateTime.ToString(format, CultureInfo.InvariantCulture) : "")];
        money = MoneyScale.For(series.Max(p => p.CostMicros));
        spend = [new() { Name = "Spend", Data = series.Select(p => p.CostMicros / (double)money.MicrosPerUnit).ToArray() }];
        moneyOptions.YAxisFormat = money.Format;
        tokens =
        [
            new() { Name = "Input", Data = series.Select(p => (double)p.PromptTokens).ToArray() },
            new() { Name = "Cached input", Data = series.Select(p => (double)p.CachedPromptTokens).ToArray() },
            new() { Name = "Output", Data = series.Select(p => (double)p.CompletionTokens).ToArray() },
        ];
        requests = [new() { Name = "Requests", Data = series.Select(p => (double)p.Requests).ToArray() }];
        modelSpend = [new() { Name = "Spend", Data = Summary.Models.Select(m => Math.Max(m.CostMicros, 0) / 1_000_000d).ToArray() }];
        modelLabels = [.. Summary.Models.Select(m => UsageFormat.ModelLabel(m.Model))];
    }
}
