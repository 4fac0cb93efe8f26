using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Charts;

public sealed partial class BarChart
{
    private const double PadLeft = 56;
    private const double PadRight = 8;
    private const double PadTop = 10;
    private const double PadBottom = 26;

    private IReadOnlyList<double> _ticks = [];
    private double _top = 1;
    private double _slot;
    private double _bar;
    private int _labelEvery = 1;

    /// <summary>One label per bucket (x axis).</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<string> Labels { get; set; } = [];

    /// <summary>Stacked bottom-up in this order.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<ChartSeries> Series { get; set; } = [];

    /// <summary>What the chart shows, for screen readers.</summary>
    [Parameter, EditorRequired]
    public string Title { get; set; } = "";

    [Parameter]
    public Func<double, string> Format { get; set; } = v => v.ToString("#,##0.##", CultureInfo.InvariantCulture);

    /// <summary>The drawing's width in its own units: about the pixels it will get, so text keeps its size.</summary>
    [Parameter]
    public double Width { get; set; } = 800;

    [Parameter]
    public double Height { get; set; } = 220;

    [Parameter]
    public string? TestId { get; set; }

    protected override void OnParametersSet()
    {
        var max = 0d;
        for (var i = 0; i < Labels.Count; i++)
        {
            max = Math.Max(max, Series.Sum(s => i < s.Values.Count ? Math.Max(s.Values[i], 0) : 0));
        }

        _top = ChartScale.NiceCeiling(max);
        _ticks = ChartScale.Ticks(_top);
        var count = Math.Max(Labels.Count, 1);
        _slot = (Width - PadLeft - PadRight) / count;
        _bar = Math.Max(_slot * 0.72, 1);
        _labelEvery = Math.Max(1, (int)Math.Ceiling(count / Math.Max(2, Math.Floor(Width / 90))));
    }

    private double Y(double value) => PadTop + (Height - PadTop - PadBottom) * (1 - (value / _top));

    private string Tooltip(int i) =>
        Labels[i] + ": " + string.Join(", ", Series.Select(s => s.Name + " " + Format(i < s.Values.Count ? s.Values[i] : 0)));

    /// <summary>SVG coordinates are written with a dot whatever the culture.</summary>
    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
