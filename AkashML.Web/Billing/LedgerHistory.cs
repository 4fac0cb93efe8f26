using AkashML.Data;
using AkashML.Data.Billing;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Billing;

/// <summary>Which ledger entries the billing page lists.</summary>
public enum LedgerFilter
{
    All,

    /// <summary>Money in and out: grants, refunds, expiries.</summary>
    Credits,

    /// <summary>Requests: reservations, settlements, releases.</summary>
    Usage,
}

/// <summary>One ledger entry with the source of the pool it moved.</summary>
public sealed record LedgerRow(long Id, DateTimeOffset CreatedAt, LedgerEntryKind Kind, long AmountMicros, CreditSource PoolSource,
    string? InferenceId, string? PaymentReference, string? Note);

/// <param name="Rows">Newest first.</param>
/// <param name="OlderBefore">The cursor of the next (older) page, or null at the end.</param>
public sealed record LedgerPage(IReadOnlyList<LedgerRow> Rows, long? OlderBefore);

/// <summary>
/// A user's ledger, newest first, with keyset paging on (CreatedAt, Id) so every page is one seek on the
/// (UserId, CreatedAt) index however long the history grows (each request writes several entries).
/// </summary>
public sealed class LedgerHistory(AkashDbContext db)
{
    public const int DefaultPageSize = 25;

    /// <param name="before">The id of the last entry of the previous page; null for the newest page.</param>
    public async Task<LedgerPage> GetPageAsync(string userId, LedgerFilter filter, long? before, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        pageSize = Math.Clamp(pageSize, 1, 200);
        var entries = db.LedgerEntries.AsNoTracking().Where(e => e.UserId == userId);
        entries = filter switch
        {
            LedgerFilter.Credits => entries.Where(e => e.Kind == LedgerEntryKind.Grant || e.Kind == LedgerEntryKind.Refund || e.Kind == LedgerEntryKind.Expiry),
            LedgerFilter.Usage => entries.Where(e => e.Kind == LedgerEntryKind.Reservation || e.Kind == LedgerEntryKind.Settlement || e.Kind == LedgerEntryKind.Release),
            LedgerFilter.All => entries,
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown ledger filter."),
        };

        if (before is { } cursor)
        {
            var anchor = await db.LedgerEntries.AsNoTracking()
                .Where(e => e.Id == cursor && e.UserId == userId)
                .Select(e => (DateTimeOffset?)e.CreatedAt)
                .SingleOrDefaultAsync(cancellationToken);
            if (anchor is { } at)
            {
                entries = entries.Where(e => e.CreatedAt < at || (e.CreatedAt == at && e.Id < cursor));
            }
        }

        var rows = await (
                from e in entries
                join p in db.CreditPools on e.PoolId equals p.Id
                orderby e.CreatedAt descending, e.Id descending
                select new LedgerRow(e.Id, e.CreatedAt, e.Kind, e.AmountMicros, p.Source, e.InferenceId, e.PaymentReference, e.Note))
            .Take(pageSize + 1)
            .ToListAsync(cancellationToken);
        return rows.Count > pageSize
            ? new LedgerPage(rows[..pageSize], rows[pageSize - 1].Id)
            : new LedgerPage(rows, null);
    }
}
