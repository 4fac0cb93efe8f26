using System.Runtime.CompilerServices;
using AkashML.Data;
using AkashML.Data.Usage;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Usage;

/// <summary>
/// The reads behind the usage page and its export. Charts, totals and the grid's row count come from
/// <see cref="UsageRollup"/> (an index range scan per user); the requests grid pages over the records' (user, time)
/// index; key names come in one query. Nothing here issues a query per row. Each read first waits for this replica's
/// usage writer to write what is queued (nothing to wait for when idle), so a request just made shows.
/// </summary>
/// <remarks>
/// Every call reads through its own scope's <see cref="AkashDbContext"/>: a circuit lives for hours and its charts,
/// grid and live refresh query at the same time, and a context allows one operation at a time.
/// </remarks>
public sealed class UsageQueries(IServiceScopeFactory scopes, UsageWriter writer)
{
    public const int PageSize = 50;

    /// <summary>Charts, totals, the per-model table and the filters' choices for one filter.</summary>
    public async Task<UsageSummary> SummaryAsync(string userId, UsageFilter filter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(filter);
        await writer.FlushAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var series = await SeriesAsync(db, userId, filter, cancellationToken);
        var models = await ByModelAsync(db, userId, filter, cancellationToken);
        var keys = await KeyNamesAsync(db, userId, cancellationToken);
        var known = await db.UsageRollups.AsNoTracking()
            .Where(r => r.UserId == userId && r.Granularity == UsageGranularity.Day)
            .Select(r => r.Model).Distinct().OrderBy(m => m).ToListAsync(cancellationToken);
        return new UsageSummary(filter, series, models, keys, known);
    }

    /// <summary>
    /// One page of the requests the filter lets through, sorted on the server, and how many there are in all (from the
    /// rollups unless the filter asks for errors or cancellations only, which the rollups do not tell apart).
    /// </summary>
    public async Task<UsageRowsPage> RowsAsync(string userId, UsageFilter filter, UsageSort sort, bool descending, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(filter);
        await writer.FlushAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var records = Records(db, userId, filter);
        var rollups = Rollups(db, userId, filter, UsageGranularity.Day);
        var total = filter.Status switch
        {
            null => await rollups.SumAsync(r => (long?)r.Requests, cancellationToken) ?? 0,
            "ok" => await rollups.SumAsync(r => (long?)(r.Requests - r.Errors), cancellationToken) ?? 0,
            _ => await records.LongCountAsync(cancellationToken),
        };
        var count = (int)Math.Min(total, int.MaxValue);
        var rows = await UsageRowPaging.PageAsync(records, count, sort, descending, page, pageSize, cancellationToken);
        return new UsageRowsPage(rows, count);
    }

    /// <summary>Every record the filter lets through, oldest first, streamed as the database returns them.</summary>
    public async IAsyncEnumerable<UsageRow> ExportAsync(string userId, UsageFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await writer.FlushAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var rows = UsageRowPaging.Project(Records(db, userId, filter).OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row;
        }
    }

    public async Task<IReadOnlyDictionary<Guid, string>> KeyNamesAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await KeyNamesAsync(scope.ServiceProvider.GetRequiredService<AkashDbContext>(), userId, cancellationToken);
    }

    private static async Task<IReadOnlyDictionary<Guid, string>> KeyNamesAsync(AkashDbContext db, string userId, CancellationToken cancellationToken) =>
        await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId).OrderBy(k => k.CreatedAt).ToDictionaryAsync(k => k.Id, k => k.Name, cancellationToken);

    /// <summary>Every bucket of the range in order, zeros included, so the chart's x axis is continuous.</summary>
    private static async Task<IReadOnlyList<UsagePoint>> SeriesAsync(AkashDbContext db, string userId, UsageFilter filter, CancellationToken cancellationToken)
    {
        var sums = await Rollups(db, userId, filter, filter.Granularity)
            .GroupBy(r => r.BucketStart)
            .Select(g => new UsagePoint(g.Key, g.Sum(r => r.Requests), g.Sum(r => r.PromptTokens), g.Sum(r => r.CompletionTokens), g.Sum(r => r.CostMicros), g.Sum(r => r.CachedPromptTokens)))
            .ToListAsync(cancellationToken);
        var byBucket = sums.ToDictionary(p => p.Bucket.UtcTicks);
        var step = filter.Granularity == UsageGranularity.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
        var points = new List<UsagePoint>();
        for (var bucket = filter.Start; bucket < filter.End; bucket += step)
        {
            points.Add(byBucket.TryGetValue(bucket.UtcTicks, out var p) ? p with { Bucket = bucket } : new UsagePoint(bucket, 0, 0, 0, 0));
        }

        return points;
    }

    /// <summary>Per model over the range, most expensive first (daily rollups: the range is whole days).</summary>
    private static async Task<IReadOnlyList<ModelUsage>> ByModelAsync(AkashDbContext db, string userId, UsageFilter filter, CancellationToken cancellationToken)
    {
        var rows = await Rollups(db, userId, filter, UsageGranularity.Day)
            .GroupBy(r => r.Model)
            .Select(g => new ModelUsage(g.Key, g.Sum(r => r.Requests), g.Sum(r => r.PromptTokens), g.Sum(r => r.CompletionTokens), g.Sum(r => r.CostMicros), g.Sum(r => r.CachedPromptTokens)))
            .ToListAsync(cancellationToken);
        return [.. rows.OrderByDescending(m => m.CostMicros).ThenByDescending(m => m.Requests).ThenBy(m => m.Model, StringComparer.Ordinal)];
    }

    private static IQueryable<UsageRollup> Rollups(AkashDbContext db, string userId, UsageFilter filter, UsageGranularity granularity)
    {
        var (start, end) = (filter.Start, filter.End);
        var query = db.UsageRollups.AsNoTracking()
            .Where(r => r.UserId == userId && r.Granularity == granularity && r.BucketStart >= start && r.BucketStart < end);
        if (filter.KeyId is { } key)
        {
            query = query.Where(r => r.ApiKeyId == key);
        }

        if (filter.Model is { } model)
        {
            query = query.Where(r => r.Model == model);
        }

        return query;
    }

    private static IQueryable<UsageRecord> Records(AkashDbContext db, string userId, UsageFilter filter)
    {
        var (start, end) = (filter.Start, filter.End);
        var query = db.UsageRecords.AsNoTracking().Where(u => u.UserId == userId && u.CreatedAt >= start && u.CreatedAt < end);
        if (filter.KeyId is { } key)
        {
            query = query.Where(u => u.ApiKeyId == key);
        }

        if (filter.Model is { } model)
        {
            query = query.Where(u => u.Model == model);
        }

        if (filter.Status is { } status)
        {
            query = query.Where(u => u.Status == status);
        }

        return query;
    }
}
