namespace AkashML.Web.Components.Charts;

/// <summary>One named series of a chart; <paramref name="Tone"/> picks its colour class (<c>am-chart-tone-…</c>).</summary>
public sealed record ChartSeries(string Name, string Tone, IReadOnlyList<double> Values);
