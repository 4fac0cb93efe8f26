using AkashML.Data;
using AkashML.Data.Billing;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Billing;

/// <summary>What the payments grid can sort by.</summary>
public enum PaymentSort
{
    Date,
    Amount,
    Kind,
    Status,
}

/// <param name="Payments">The page asked for, in the order asked for.</param>
/// <param name="Total">All the user's payments.</param>
public sealed record PaymentPage(IReadOnlyList<Payment> Payments, int Total);

/// <summary>
/// A user's payments a page at a time, for the payments grid (the billing services list only the newest ones).
/// Each page is a seek on the (UserId, CreatedAt) index when sorted by date, the default.
/// </summary>
public sealed class PaymentHistory(AkashDbContext db)
{
    public const int DefaultPageSize = 10;

    /// <param name="page">Zero-based.</param>
    public async Task<PaymentPage> GetPageAsync(string userId, int page, int pageSize, PaymentSort sort, bool descending, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        pageSize = Math.Clamp(pageSize, 1, 200);
        page = Math.Max(0, page);
        var payments = db.Payments.AsNoTracking().Where(p => p.UserId == userId);
        var total = await payments.CountAsync(cancellationToken);
        IOrderedQueryable<Payment> ordered = (sort, descending) switch
        {
            (PaymentSort.Amount, false) => payments.OrderBy(p => p.AmountCents),
            (PaymentSort.Amount, true) => payments.OrderByDescending(p => p.AmountCents),
            (PaymentSort.Kind, false) => payments.OrderBy(p => p.Kind),
            (PaymentSort.Kind, true) => payments.OrderByDescending(p => p.Kind),
            (PaymentSort.Status, false) => payments.OrderBy(p => p.Status),
            (PaymentSort.Status, true) => payments.OrderByDescending(p => p.Status),
            (_, false) => payments.OrderBy(p => p.CreatedAt),
            _ => payments.OrderByDescending(p => p.CreatedAt),
        };

        // Ties (and every non-date sort) fall back to newest first, so pages never overlap.
        var rows = await ordered.ThenByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id)
            .Skip(page * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);
        return new PaymentPage(rows, total);
    }
}
