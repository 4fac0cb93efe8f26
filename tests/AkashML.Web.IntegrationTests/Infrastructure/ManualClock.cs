namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>
/// A clock tests move by hand (forward only), registered as the host's <see cref="TimeProvider"/>: key expiry, roll
/// grace periods and rate-limit windows all read it. Timers still run on real time.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public ManualClock(DateTimeOffset start)
    {
        _ticks = start.UtcTicks;
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _ticks, by.Ticks);
    }

    /// <summary>Moves to the next moment that is <paramref name="offset"/> into a whole minute.</summary>
    public void AdvanceToMinuteOffset(TimeSpan offset)
    {
        var now = GetUtcNow();
        var minuteStart = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var target = minuteStart + offset;
        Advance((target > now ? target : target.AddMinutes(1)) - now);
    }
}
