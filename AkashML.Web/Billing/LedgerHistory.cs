using AkashML.Data;
using AkashML.Data.Billing;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Billing;

/// <summary>Which ledger lines the billing page lists.</summary>
public enum LedgerFilter
{
    All,

    /// <summary>Money in and out: grants, refunds, expiries.</summary>
    Credits,

    /// <summary>Requests: each one's hold, release and charge folded into one line.</summary>
    Usage,
}

/// <summary>One ledger entry with the source of the pool it moved.</summary>
public sealed record LedgerRow(long Id, DateTimeOffset CreatedAt, LedgerEntryKind Kind, long AmountMicros, CreditSource PoolSource,
    Guid? ReservationId, string? InferenceId, string? PaymentReference, string? Note);

/// <summary>Where a request's credits stand, read from its entries.</summary>
public enum RequestCharge
{
    /// <summary>Only holds so far: the request is still running (or its host died and the hold awaits release).</summary>
    Held,

    /// <summary>Charged what it used; the rest of the hold went back.</summary>
    Charged,

    /// <summary>Released in full: it failed or was refused before costing anything.</summary>
    Released,
}

/// <summary>
/// One line of the ledger as people read it: a single credit movement, or one request with its hold, release and
/// charge folded together (<see cref="Entries"/> keeps the underlying entries, oldest first, for the expanded view).
/// </summary>
public sealed record LedgerLine(DateTimeOffset CreatedAt, LedgerEntryKind Kind, long AmountMicros, CreditSource PoolSource,
    string? InferenceId, string? Model, RequestCharge? Charge, string? PaymentReference, string? Note, IReadOnlyList<LedgerRow> Entries)
{
    public bool IsRequest => Charge is not null;

    /// <summary>Unique within a user's ledger (the first entry's id), so a grid can keep expanded rows across reloads.</summary>
    public long Key => Entries[0].Id;
}

/// <param name="Lines">Newest first.</param>
/// <param name="Total">Lines in the whole (filtered) ledger.</param>
public sealed record LedgerLinePage(IReadOnlyList<LedgerLine> Lines, int Total);

/// <summary>
/// A user's ledger, newest first, one line per credit movement or per request. A request writes a hold, then a release
/// and a charge (more when it spans pools); its first entry stands for it in the paged query and the rest are read for
/// the lines of the page only, so a page costs the same however long the history grows.
/// </summary>
public sealed class LedgerHistory(AkashDbContext db)
{
    public const int DefaultPageSize = 10;

    /// <param name="page">Zero-based.</param>
    public async Task<LedgerLinePage> GetLinesAsync(string userId, LedgerFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        pageSize = Math.Clamp(pageSize, 1, 200);
        page = Math.Max(0, page);
        var firsts = db.LedgerEntries.AsNoTracking()
            .Where(e => e.UserId == userId)
            .Where(e => e.ReservationId == null || !db.LedgerEntries.Any(o => o.ReservationId == e.ReservationId && o.Id < e.Id));
        firsts = filter switch
        {
            LedgerFilter.Credits => firsts.Where(e => e.ReservationId == null),
            LedgerFilter.Usage => firsts.Where(e => e.ReservationId != null),
            LedgerFilter.All => firsts,
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown ledger filter."),
        };

        var total = await firsts.CountAsync(cancellationToken);
        var anchors = await (
                from e in firsts
                join p in db.CreditPools on e.PoolId equals p.Id
                orderby e.CreatedAt descending, e.Id descending
                select new LedgerRow(e.Id, e.CreatedAt, e.Kind, e.AmountMicros, p.Source, e.ReservationId, e.InferenceId, e.PaymentReference, e.Note))
            .Skip(page * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);

        var reservationIds = anchors.Where(a => a.ReservationId is not null).Select(a => a.ReservationId!.Value).ToList();
        var folded = reservationIds.Count == 0
            ? []
            : (await WithPools(db.LedgerEntries.AsNoTracking().Where(e => e.UserId == userId && e.ReservationId != null && reservationIds.Contains(e.ReservationId.Value)))
                .ToListAsync(cancellationToken))
            .GroupBy(r => r.ReservationId!.Value)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Id).ToList());
        var inferenceIds = anchors.Where(a => a.ReservationId is not null && a.InferenceId is not null).Select(a => a.InferenceId!).Distinct().ToList();
        var models = inferenceIds.Count == 0
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : (await db.UsageRecords.AsNoTracking()
                .Where(u => u.UserId == userId && inferenceIds.Contains(u.InferenceId))
                .Select(u => new { u.InferenceId, u.Model })
                .ToListAsync(cancellationToken))
            .GroupBy(u => u.InferenceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Model, StringComparer.Ordinal);

        var lines = anchors.Select(anchor => anchor.ReservationId is { } reservation && folded.TryGetValue(reservation, out var entries)
                ? Fold(entries, anchor.InferenceId is { } id ? models.GetValueOrDefault(id) : null)
                : new LedgerLine(anchor.CreatedAt, anchor.Kind, anchor.AmountMicros, anchor.PoolSource, anchor.InferenceId, null, null,
                    anchor.PaymentReference, anchor.Note, [anchor]))
            .ToList();
        return new LedgerLinePage(lines, total);
    }

    private static LedgerLine Fold(List<LedgerRow> entries, string? model)
    {
        var first = entries[0];
        var charge = entries.Any(e => e.Kind == LedgerEntryKind.Settlement) ? RequestCharge.Charged
            : entries.Any(e => e.Kind == LedgerEntryKind.Release) ? RequestCharge.Released
            : RequestCharge.Held;
        return new LedgerLine(first.CreatedAt, first.Kind, entries.Sum(e => e.AmountMicros), first.PoolSource, first.InferenceId, model, charge,
            null, null, entries);
    }

    private IQueryable<LedgerRow> WithPools(IQueryable<LedgerEntry> entries) =>
        from e in entries
        join p in db.CreditPools on e.PoolId equals p.Id
        select new LedgerRow(e.Id, e.CreatedAt, e.Kind, e.AmountMicros, p.Source, e.ReservationId, e.InferenceId, e.PaymentReference, e.Note);
}
