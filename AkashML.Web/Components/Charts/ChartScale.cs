namespace AkashML.Web.Components.Charts;

/// <summary>Axis arithmetic: a round step (1, 2, 2.5 or 5 × 10ⁿ) so that <c>count</c> steps cover the maximum.</summary>
public static class ChartScale
{
    public const int TickCount = 4;

    /// <summary>The top of the axis: <see cref="TickCount"/> round steps, at least <paramref name="max"/>.</summary>
    public static double NiceCeiling(double max) => NiceStep(max / TickCount) * TickCount;

    public static double NiceStep(double raw)
    {
        if (!(raw > 0) || double.IsInfinity(raw))
        {
            return 1d / TickCount;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (var step in new[] { 1, 2, 2.5, 5 })
        {
            if (step * magnitude >= raw * (1 - 1e-9))
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    public static IReadOnlyList<double> Ticks(double top, int count = TickCount) =>
        [.. Enumerable.Range(0, count + 1).Select(i => top * i / count)];
}
