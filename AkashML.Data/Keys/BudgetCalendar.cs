namespace AkashML.Data.Keys;

/// <summary>
/// The UTC days that key spend is counted in (<see cref="ApiKeySpend.Day"/>, a <see cref="DateOnly.DayNumber"/>) and
/// where each budget period starts: a period's spend is the sum of its days, so changing a key's period counts what
/// was already spent in the new one.
/// </summary>
public static class BudgetCalendar
{
    /// <summary>The first day of <see cref="ApiKeyBudgetPeriod.None"/>: every day counts.</summary>
    public const int Always = 0;

    public static int Day(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime).DayNumber;

    /// <summary>The day the period containing <paramref name="now"/> starts on.</summary>
    public static int StartDay(ApiKeyBudgetPeriod period, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return period switch
        {
            ApiKeyBudgetPeriod.Daily => today.DayNumber,
            ApiKeyBudgetPeriod.Weekly => today.DayNumber - (((int)today.DayOfWeek + 6) % 7),
            ApiKeyBudgetPeriod.Monthly => new DateOnly(today.Year, today.Month, 1).DayNumber,
            _ => Always,
        };
    }

    /// <summary>When the period containing <paramref name="now"/> ends and spend starts again from zero; null for none.</summary>
    public static DateTimeOffset? NextReset(ApiKeyBudgetPeriod period, DateTimeOffset now)
    {
        var start = DateOnly.FromDayNumber(StartDay(period, now));
        DateOnly? next = period switch
        {
            ApiKeyBudgetPeriod.Daily => start.AddDays(1),
            ApiKeyBudgetPeriod.Weekly => start.AddDays(7),
            ApiKeyBudgetPeriod.Monthly => start.AddMonths(1),
            _ => null,
        };
        return next is { } day ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
    }
}
