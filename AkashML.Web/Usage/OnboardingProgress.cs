using AkashML.Billing;
using AkashML.Billing.Prices;
using AkashML.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Usage;

/// <summary>
/// Reads the overview's first-run checklist: a handful of indexed existence checks, no writes. Reads through its own
/// scope, because in a circuit the overview refreshes it while other components query.
/// </summary>
public sealed class OnboardingProgress(IServiceScopeFactory scopes, UsageWriter writer, IOptions<BillingOptions> options)
{
    public async Task<OnboardingState> GetAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        // Any request counts, the one just made too (once the writer has written it): the (UserId, CreatedAt) index answers this at once even with millions of rows.
        await writer.FlushAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var confirmed = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.EmailConfirmed).SingleOrDefaultAsync(cancellationToken);
        var account = await db.BillingAccounts.AsNoTracking().Where(a => a.UserId == userId)
            .Select(a => new { a.PaymentMethodId, a.TrialGrantedAt })
            .SingleOrDefaultAsync(cancellationToken);
        var credited = await db.CreditPools.AsNoTracking().AnyAsync(p => p.UserId == userId, cancellationToken);
        var keyed = await db.ApiKeys.AsNoTracking().AnyAsync(k => k.UserId == userId, cancellationToken);
        var requested = await db.UsageRecords.AsNoTracking().AnyAsync(u => u.UserId == userId, cancellationToken);
        var billing = options.Value;
        return new OnboardingState(
            confirmed,
            billing.Stripe.Enabled,
            account is { PaymentMethodId: not null } or { TrialGrantedAt: not null },
            Money.UsdToMicros(billing.TrialCreditsUsd),
            credited,
            keyed,
            requested);
    }
}
