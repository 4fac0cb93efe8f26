using Microsoft.Extensions.Time.Testing;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>Moves a host's <see cref="FakeTimeProvider"/> to the point in a minute that a rate-limit window test needs.</summary>
public static class ClockExtensions
{
    /// <summary>Moves to the next moment that is <paramref name="offset"/> into a whole minute.</summary>
    public static void AdvanceToMinuteOffset(this FakeTimeProvider clock, TimeSpan offset)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();
        var target = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero) + offset;
        clock.Advance((target > now ? target : target.AddMinutes(1)) - now);
    }
}
