namespace AkashML.Web.Components.Charts;

/// <summary>One bar of <see cref="HorizontalBars"/>: its label, its length and the text shown beside it.</summary>
public sealed record BarItem(string Label, double Value, string Display);
