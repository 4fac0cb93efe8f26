using AkashML.Data.Usage;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Usage;

/// <summary>
/// Offset paging for the requests grids that stays fast with a million rows: a page in the first half is read from the
/// start, a page in the second half from the end in the opposite order (so "last page" costs what "first page" does),
/// always over an index-ordered (column, id) sort. Projects straight to <see cref="UsageRow"/>; nothing is tracked.
/// </summary>
internal static class UsageRowPaging
{
    public static async Task<IReadOnlyList<UsageRow>> PageAsync(
        IQueryable<UsageRecord> records, int total, UsageSort sort, bool descending, int page, int pageSize, CancellationToken cancellationToken)
    {
        var offset = (long)Math.Max(page, 0) * pageSize;
        if (pageSize <= 0 || offset >= total)
        {
            return [];
        }

        var take = (int)Math.Min(pageSize, total - offset);
        var fromEnd = (int)(total - offset - take);
        if (fromEnd < offset)
        {
            var reversed = await Project(Order(records, sort, !descending).Skip(fromEnd).Take(take)).ToListAsync(cancellationToken);
            reversed.Reverse();
            return reversed;
        }

        return await Project(Order(records, sort, descending).Skip((int)offset).Take(take)).ToListAsync(cancellationToken);
    }

    public static IQueryable<UsageRow> Project(IQueryable<UsageRecord> records) =>
        records.Select(u => new UsageRow(u.Id, u.CreatedAt, u.InferenceId, u.ApiKeyId, u.Model, u.Surface, u.PromptTokens, u.CompletionTokens,
            u.CostMicros, u.LatencyMs, u.TimeToFirstTokenMs, u.Status, u.HttpStatus, u.Error, u.Streamed, u.CachedPromptTokens));

    private static IOrderedQueryable<UsageRecord> Order(IQueryable<UsageRecord> records, UsageSort sort, bool descending) => (sort, descending) switch
    {
        (UsageSort.Cost, true) => records.OrderByDescending(u => u.CostMicros).ThenByDescending(u => u.Id),
        (UsageSort.Cost, false) => records.OrderBy(u => u.CostMicros).ThenBy(u => u.Id),
        (UsageSort.PromptTokens, true) => records.OrderByDescending(u => u.PromptTokens).ThenByDescending(u => u.Id),
        (UsageSort.PromptTokens, false) => records.OrderBy(u => u.PromptTokens).ThenBy(u => u.Id),
        (UsageSort.CompletionTokens, true) => records.OrderByDescending(u => u.CompletionTokens).ThenByDescending(u => u.Id),
        (UsageSort.CompletionTokens, false) => records.OrderBy(u => u.CompletionTokens).ThenBy(u => u.Id),
        (UsageSort.Latency, true) => records.OrderByDescending(u => u.LatencyMs).ThenByDescending(u => u.Id),
        (UsageSort.Latency, false) => records.OrderBy(u => u.LatencyMs).ThenBy(u => u.Id),
        (_, true) => records.OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.Id),
        (_, false) => records.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id),
    };
}
