using AkashML.Data;
using AkashML.Data.Usage;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Usage;

/// <summary>
/// The overview page's activity figures: daily rollups of the last seven days (one index range scan) and the newest
/// few records (the (user, time) index). Reads through its own scope, like <see cref="UsageQueries"/>.
/// </summary>
public sealed class OverviewQueries(IServiceScopeFactory scopes, UsageWriter writer, TimeProvider clock)
{
    public const int TopModelCount = 5;
    public const int RecentCount = 5;

    public async Task<OverviewSnapshot> GetAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await writer.FlushAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var today = UsageRollup.BucketOf(clock.GetUtcNow(), UsageGranularity.Day);
        var start = today.AddDays(-6);
        var end = today.AddDays(1);
        var week = db.UsageRollups.AsNoTracking()
            .Where(r => r.UserId == userId && r.Granularity == UsageGranularity.Day && r.BucketStart >= start && r.BucketStart < end);
        var days = await week.GroupBy(r => r.BucketStart)
            .Select(g => new UsagePoint(g.Key, g.Sum(r => r.Requests), g.Sum(r => r.PromptTokens), g.Sum(r => r.CompletionTokens), g.Sum(r => r.CostMicros), g.Sum(r => r.CachedPromptTokens)))
            .ToListAsync(cancellationToken);
        var byDay = days.ToDictionary(p => p.Bucket.UtcTicks);
        var points = Enumerable.Range(0, 7).Select(i => start.AddDays(i))
            .Select(day => byDay.TryGetValue(day.UtcTicks, out var p) ? p with { Bucket = day } : new UsagePoint(day, 0, 0, 0, 0))
            .ToList();
        var models = await week.GroupBy(r => r.Model)
            .Select(g => new ModelUsage(g.Key, g.Sum(r => r.Requests), g.Sum(r => r.PromptTokens), g.Sum(r => r.CompletionTokens), g.Sum(r => r.CostMicros), g.Sum(r => r.CachedPromptTokens)))
            .ToListAsync(cancellationToken);
        var top = models.OrderByDescending(m => m.CostMicros).ThenByDescending(m => m.Requests).ThenBy(m => m.Model, StringComparer.Ordinal).Take(TopModelCount).ToList();
        var recent = await UsageRowPaging.Project(db.UsageRecords.AsNoTracking().Where(u => u.UserId == userId)
            .OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.Id).Take(RecentCount)).ToListAsync(cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId).ToDictionaryAsync(k => k.Id, k => k.Name, cancellationToken);
        return new OverviewSnapshot(points, top, recent, keys);
    }
}
