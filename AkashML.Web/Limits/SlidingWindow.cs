namespace AkashML.Web.Limits;

/// <summary>
/// The arithmetic of a per-minute limit counted as a weighted sliding window: usage at a moment is the current
/// minute's count plus the previous minute's count weighted by how much of it still lies within the last 60 seconds.
/// Integer milliseconds throughout, so admission, <c>Retry-After</c> and the headers agree exactly.
/// </summary>
public static class SlidingWindow
{
    public const long WindowMs = 60_000;

    /// <summary>The minute (since the Unix epoch) that <paramref name="now"/> falls in, and how far into it it is.</summary>
    public static (long Minute, long ElapsedMs) Position(DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        var minute = Math.DivRem(ms, WindowMs, out var elapsed);
        if (elapsed < 0)
        {
            minute--;
            elapsed += WindowMs;
        }

        return (minute, elapsed);
    }

    /// <summary>Usage times <see cref="WindowMs"/> (kept scaled so it stays an integer).</summary>
    public static long ScaledUsage(long previous, long current, long elapsedMs) => (previous * (WindowMs - elapsedMs)) + (current * WindowMs);

    public static bool Fits(long limit, long previous, long current, long elapsedMs) =>
        ScaledUsage(previous, current, elapsedMs) <= limit * WindowMs;

    /// <summary>Whole units left before the limit (never negative).</summary>
    public static long Remaining(long limit, long previous, long current, long elapsedMs) =>
        Math.Max(0, ((limit * WindowMs) - ScaledUsage(previous, current, elapsedMs)) / WindowMs);

    /// <summary>
    /// Milliseconds until <paramref name="cost"/> more would fit, if nothing else is counted meanwhile; 0 when it fits
    /// now, null when it can never fit (more than the whole limit).
    /// </summary>
    public static long? WaitMs(long limit, long previous, long current, long elapsedMs, long cost)
    {
        if (cost > limit)
        {
            return null;
        }

        if (Fits(limit, previous, current + cost, elapsedMs))
        {
            return 0;
        }

        if (current + cost <= limit)
        {
            // Later in this minute, once enough of the previous minute has slid out: previous * (W - t) <= room * W.
            var at = WindowMs - ((limit - current - cost) * WindowMs / previous);
            return at - elapsedMs;
        }

        // Next minute, where this minute's count becomes the previous one: current * (W - t) <= (limit - cost) * W.
        var next = current == 0 ? 0 : Math.Max(0, WindowMs - ((limit - cost) * WindowMs / current));
        return WindowMs - elapsedMs + next;
    }

    /// <summary>Milliseconds until usage is back to zero, if nothing else is counted meanwhile.</summary>
    public static long ResetMs(long previous, long current, long elapsedMs) =>
        current > 0 ? (2 * WindowMs) - elapsedMs
        : previous > 0 ? WindowMs - elapsedMs
        : 0;
}
