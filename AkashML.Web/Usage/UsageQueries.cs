using System.Globalization;
using System.Runtime.CompilerServices;
using AkashML.Data;
using AkashML.Data.Usage;
using AkashML.Web.Api.Usage;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Usage;

/// <summary>
/// The reads behind the usage page and its export. Charts and totals come from <see cref="UsageRollup"/> only (an index
/// range scan per user); the recent-requests table is keyset-paged over the records' (user, time) index; key names
/// come in one query. Nothing here issues a query per row. Each read first waits for this replica's usage writer to
/// write what is queued (nothing to wait for when idle), so a request just made shows.
/// </summary>
public sealed class UsageQueries(AkashDbContext db, UsageWriter writer)
{
    public const int PageSize = 50;

    public async Task<UsageView> LoadAsync(string userId, UsageFilter filter, string? cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await writer.FlushAsync(cancellationToken);
        var series = await SeriesAsync(userId, filter, cancellationToken);
        var models = await ByModelAsync(userId, filter, cancellationToken);
        var recent = await RecentAsync(userId, filter, cursor, PageSize, cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId).OrderBy(k => k.CreatedAt)
            .Select(k => new { k.Id, k.Name }).ToListAsync(cancellationToken);
        var known = await db.UsageRollups.AsNoTracking()
            .Where(r => r.UserId == userId && r.Granularity == UsageGranularity.Day)
            .Select(r => r.Model).Distinct().OrderBy(m => m).ToListAsync(cancellationToken);
        return new UsageView(filter, series, models, recent, keys.ToDictionary(k => k.Id, k => k.Name), known);
    }

    /// <summary>Every bucket of the range in order, zeros included, so the chart's x axis is continuous.</summary>
    public async Task<IReadOnlyList<UsagePoint>> SeriesAsync(string userId, UsageFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await writer.FlushAsync(cancellationToken);
        var sums = await Rollups(userId, filter, filter.Granularity)
            .GroupBy(r => r.BucketStart)
            .Select(g => new UsagePoint(g.Key, g.Sum(r => r.Requests), g.Sum(r => r.PromptTokens), g.Sum(r => r.CompletionTokens), g.Sum(r => r.CostMicros)))
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
    public async Task<IReadOnlyList<ModelUsage>> ByModelAsync(string userId, UsageFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await writer.FlushAsync(cancellationToken);
        var rows = await Rollups(userId, filter, UsageGranularity.Day)
            .GroupBy(r => r.Model)
            .Select(g => new ModelUsage(g.Key, g.Sum(r => r.Requests), g.Sum(r => r.PromptTokens), g.Sum(r => r.CompletionTokens), g.Sum(r => r.CostMicros)))
            .ToListAsync(cancellationToken);
        return [.. rows.OrderByDescending(m => m.CostMicros).ThenByDescending(m => m.Requests).ThenBy(m => m.Model, StringComparer.Ordinal)];
    }

    /// <summary>Newest first, <paramref name="pageSize"/> at a time; <paramref name="cursor"/> is a previous page's next cursor.</summary>
    public async Task<UsagePage> RecentAsync(string userId, UsageFilter filter, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await writer.FlushAsync(cancellationToken);
        var query = Records(userId, filter);
        if (ParseCursor(cursor) is var (at, id))
        {
            query = query.Where(u => u.CreatedAt < at || (u.CreatedAt == at && u.Id < id));
        }

        var rows = await query.OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.Id).Take(pageSize + 1)
            .Select(u => new UsageRow(u.Id, u.CreatedAt, u.InferenceId, u.ApiKeyId, u.Model, u.Surface, u.PromptTokens, u.CompletionTokens, u.CostMicros,
                u.LatencyMs, u.TimeToFirstTokenMs, u.Status, u.HttpStatus, u.Error, u.Streamed))
            .ToListAsync(cancellationToken);
        var next = rows.Count > pageSize ? Cursor(rows[pageSize - 1]) : null;
        return new UsagePage(rows.Count > pageSize ? rows[..pageSize] : rows, next);
    }

    /// <summary>Every record the filter lets through, oldest first, streamed as the database returns them.</summary>
    public async IAsyncEnumerable<UsageRow> ExportAsync(string userId, UsageFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await writer.FlushAsync(cancellationToken);
        var rows = Records(userId, filter).OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)
            .Select(u => new UsageRow(u.Id, u.CreatedAt, u.InferenceId, u.ApiKeyId, u.Model, u.Surface, u.PromptTokens, u.CompletionTokens, u.CostMicros,
                u.LatencyMs, u.TimeToFirstTokenMs, u.Status, u.HttpStatus, u.Error, u.Streamed))
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row;
        }
    }

    public async Task<IReadOnlyDictionary<Guid, string>> KeyNamesAsync(string userId, CancellationToken cancellationToken) =>
        await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId).ToDictionaryAsync(k => k.Id, k => k.Name, cancellationToken);

    public static string Cursor(UsageRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return string.Create(CultureInfo.InvariantCulture, $"{row.CreatedAt.UtcTicks}-{row.Id}");
    }

    public static (DateTimeOffset At, long Id)? ParseCursor(string? cursor)
    {
        var dash = cursor?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        return dash > 0
            && long.TryParse(cursor.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && long.TryParse(cursor.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : null;
    }

    private IQueryable<UsageRollup> Rollups(string userId, UsageFilter filter, UsageGranularity granularity)
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

    private IQueryable<UsageRecord> Records(string userId, UsageFilter filter)
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

        return query;
    }
}
