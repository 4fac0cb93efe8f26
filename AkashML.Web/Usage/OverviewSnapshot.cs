namespace AkashML.Web.Usage;

/// <summary>What the overview page shows about an account's recent activity (UTC days; today included in the week).</summary>
/// <param name="LastSevenDays">Seven daily points, oldest first, ending today.</param>
/// <param name="TopModels">The models that cost most over the seven days, at most five.</param>
/// <param name="Recent">The newest requests, at most five.</param>
public sealed record OverviewSnapshot(
    IReadOnlyList<UsagePoint> LastSevenDays,
    IReadOnlyList<ModelUsage> TopModels,
    IReadOnlyList<UsageRow> Recent,
    IReadOnlyDictionary<Guid, string> KeyNames)
{
    public UsagePoint Today => LastSevenDays[^1];

    public long WeekCostMicros => LastSevenDays.Sum(p => p.CostMicros);

    public long WeekRequests => LastSevenDays.Sum(p => p.Requests);
}
