namespace AkashML.Bench.Engine;

/// <summary>The 25th, 50th and 75th percentiles of a benchmark's per-run figures (linear interpolation).</summary>
public sealed record Spread(double P25, double Median, double P75)
{
    public static Spread Of(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return new Spread(0, 0, 0);
        }

        var sorted = values.Order().ToArray();
        return new Spread(At(sorted, 0.25), At(sorted, 0.5), At(sorted, 0.75));
    }

    private static double At(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}
