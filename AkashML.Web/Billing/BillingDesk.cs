using AkashML.Billing.Ledger;
using AkashML.Billing.TopUp;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.Shell;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Billing;

/// <summary>
/// What the billing page reads and does, over the billing services. Each call runs in its own scope: in a circuit the
/// page, its two grids and the live refresh query at the same time, and a database context allows one operation at a
/// time (and would otherwise track entities for the hours a circuit lives).
/// </summary>
public sealed class BillingDesk(IServiceScopeFactory scopes, AccountChanges changes)
{
    public async Task<BillingSummary> GetSummaryAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var balance = await services.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, cancellationToken);
        var account = await services.GetRequiredService<TopUpService>().GetAccountAsync(userId, cancellationToken);
        var verifications = await services.GetRequiredService<AkashDbContext>().Payments.AsNoTracking()
            .Where(p => p.UserId == userId && p.Kind == PaymentKind.Verification && (p.Status == PaymentStatus.Pending || p.Status == PaymentStatus.Succeeded))
            .Select(p => new { p.Status, p.PoolId })
            .ToListAsync(cancellationToken);
        var trial = account?.TrialGrantedAt is not null ? CardTrial.Granted
            : verifications.Any(v => v is { Status: PaymentStatus.Succeeded, PoolId: null }) ? CardTrial.Refused
            : verifications.Any(v => v.Status == PaymentStatus.Pending) ? CardTrial.Pending
            : CardTrial.Available;
        return new BillingSummary(balance, account, trial);
    }

    public async Task<LedgerLinePage> GetLedgerAsync(string userId, LedgerFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LedgerHistory>().GetLinesAsync(userId, filter, page, pageSize, cancellationToken);
    }

    public async Task<PaymentPage> GetPaymentsAsync(string userId, int page, int pageSize, PaymentSort sort, bool descending, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PaymentHistory>().GetPageAsync(userId, page, pageSize, sort, descending, cancellationToken);
    }

    /// <summary>The payment a Checkout Session belongs to, if it is this user's.</summary>
    public async Task<Payment?> FindCheckoutAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AkashDbContext>().Payments.AsNoTracking()
            .SingleOrDefaultAsync(p => p.CheckoutSessionId == sessionId && p.UserId == userId, cancellationToken);
    }

    /// <summary>Starts a top-up Checkout; the caller sends the browser to its URL.</summary>
    public async Task<CheckoutResult> StartTopUpAsync(string userId, decimal amountUsd, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TopUpService>().CreateTopUpCheckoutAsync(userId, amountUsd, cancellationToken);
    }

    /// <summary>Starts a card verification Checkout (it grants the trial when Stripe confirms).</summary>
    public async Task<CheckoutResult> StartCardVerificationAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TopUpService>().CreateCardVerificationCheckoutAsync(userId, cancellationToken);
    }

    /// <returns>Null when applied, otherwise why not.</returns>
    public async Task<string?> ConfigureAutoTopUpAsync(string userId, bool enabled, decimal thresholdUsd, decimal amountUsd, CancellationToken cancellationToken)
    {
        string? refusal;
        await using (var scope = scopes.CreateAsyncScope())
        {
            refusal = await scope.ServiceProvider.GetRequiredService<TopUpService>()
                .ConfigureAutoTopUpAsync(userId, enabled, thresholdUsd, amountUsd, cancellationToken);
        }

        if (refusal is null)
        {
            // Turning it on below the threshold starts a charge; the user's other pages show the new state.
            changes.Publish(userId);
        }

        return refusal;
    }
}
