using AkashML.Billing;
using AkashML.Billing.Prices;
using AkashML.Data;
using AkashML.Web.Api.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Shell;

/// <summary>Reads the first-run steps of the overview page: three indexed lookups, no writes.</summary>
public sealed class OnboardingProgress(AkashDbContext db, UsageWriter writer, IOptions<BillingOptions> options)
{
    public async Task<OnboardingState> GetAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var confirmed = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.EmailConfirmed).SingleOrDefaultAsync(cancellationToken);
        var account = await db.BillingAccounts.AsNoTracking().Where(a => a.UserId == userId)
            .Select(a => new { a.PaymentMethodId, a.TrialGrantedAt })
            .SingleOrDefaultAsync(cancellationToken);
        // Any request counts, the one just made too (once the writer has written it): the (UserId, CreatedAt) index answers this at once even with millions of rows.
        await writer.FlushAsync(cancellationToken);
        var requested = await db.UsageRecords.AsNoTracking().AnyAsync(u => u.UserId == userId, cancellationToken);
        var billing = options.Value;
        return new OnboardingState(
            confirmed,
            billing.Stripe.Enabled,
            account is { PaymentMethodId: not null } or { TrialGrantedAt: not null },
            Money.UsdToMicros(billing.TrialCreditsUsd),
            requested);
    }
}
