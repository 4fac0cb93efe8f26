namespace AkashML.Web.Components.Charts;

/// <summary>Axis arithmetic: a "nice" top value (1, 2, 2.5 or 5 × 10ⁿ) and evenly spaced ticks up to it.</summary>
public static class ChartScale
{
    public static double NiceCeiling(double max)
    {
        if (!(max > 0) || double.IsInfinity(max))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (step * magnitude >= max)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    public static IReadOnlyList<double> Ticks(double top, int count = 4) =>
        [.. Enumerable.Range(0, count + 1).Select(i => top * i / count)];
}
