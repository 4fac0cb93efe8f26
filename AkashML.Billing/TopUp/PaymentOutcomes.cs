using AkashML.Billing.Ledger;
using AkashML.Billing.Prices;
using AkashML.Billing.Stripe;
using AkashML.Data;
using AkashML.Data.Billing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AkashML.Billing.TopUp;

/// <summary>
/// Applies what Stripe reports about a payment: credits for money received, failures (and auto top-up declines),
/// refunds, saved cards and the trial. Each method is idempotent and tolerant of events arriving in any order, so
/// webhook retries and the synchronous answer of an off-session charge can both report the same outcome.
/// </summary>
public sealed class PaymentOutcomes(AkashDbContext db, AccountLock accountLock, TimeProvider clock, IOptions<BillingOptions> options, ILogger<PaymentOutcomes> logger)
{
    /// <summary>Money was received: grants a purchase pool once (a later failure report cannot undo it).</summary>
    public async Task<PaymentOutcome> SucceededAsync(Guid paymentId, string paymentIntentId, long amountReceivedCents, string? paymentMethodId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(paymentIntentId);
        var userId = await UserOfAsync(paymentId, cancellationToken);
        if (userId is null)
        {
            return PaymentOutcome.UnknownPayment;
        }

        return await accountLock.RunAsync(userId, async (account, ct) =>
        {
            var now = clock.GetUtcNow();
            var payment = await db.Payments.SingleAsync(p => p.Id == paymentId, ct);
            payment.PaymentIntentId ??= paymentIntentId;
            if (payment.Kind == PaymentKind.TopUp && paymentMethodId is not null && account.PaymentMethodId is null && options.Value.TopUp.SaveCardForAutoTopUp)
            {
                // The session event (no card) and the PaymentIntent event (card) come in either order.
                account.PaymentMethodId = paymentMethodId;
            }

            if (payment.Kind == PaymentKind.Verification || payment.Status == PaymentStatus.Succeeded)
            {
                return PaymentOutcome.AlreadyApplied;
            }

            if (amountReceivedCents <= 0)
            {
                return PaymentOutcome.Ignored;
            }

            var pools = await UserPools.LoadAsync(db, userId, [], ct);
            var pool = CreditLedger.Grant(pools, userId, CreditSource.Purchase, Money.CentsToMicros(amountReceivedCents), expiresAt: null,
                payment.Kind == PaymentKind.AutoTopUp ? "auto top-up" : "top-up", paymentIntentId, now);
            payment.Status = PaymentStatus.Succeeded;
            payment.PoolId = pool.Id;
            payment.CreditedMicros = pool.AmountMicros;
            payment.CompletedAt = now;
            payment.FailureCode = null;
            payment.FailureMessage = null;
            if (payment.Kind == PaymentKind.AutoTopUp)
            {
                if (account.AutoTopUpPaymentId == payment.Id)
                {
                    account.AutoTopUpPaymentId = null;
                }

                account.AutoTopUpDeclines = 0;
                account.AutoTopUpLastError = null;
                account.AutoTopUpLastErrorAt = null;
            }

            if (payment.RefundedCents > 0)
            {
                // The refund was reported before the payment itself: take it back now.
                ClawBack(pools, payment, Money.CentsToMicros(payment.RefundedCents), now);
            }

            logger.LogInformation("Payment {PaymentId} ({Kind}) of user {UserId} credited {Micros} micro-dollars", payment.Id, payment.Kind, userId, pool.AmountMicros);
            return PaymentOutcome.Applied;
        }, cancellationToken);
    }

    /// <summary>A charge failed. Auto top-ups count declines and turn themselves off at the configured limit.</summary>
    public async Task<PaymentOutcome> FailedAsync(Guid paymentId, string? paymentIntentId, string? code, string message, bool decline, CancellationToken cancellationToken)
    {
        var userId = await UserOfAsync(paymentId, cancellationToken);
        if (userId is null)
        {
            return PaymentOutcome.UnknownPayment;
        }

        return await accountLock.RunAsync(userId, async (account, ct) =>
        {
            var now = clock.GetUtcNow();
            var payment = await db.Payments.SingleAsync(p => p.Id == paymentId, ct);
            payment.PaymentIntentId ??= paymentIntentId;
            if (payment.Status is PaymentStatus.Succeeded or PaymentStatus.Failed)
            {
                return PaymentOutcome.AlreadyApplied;
            }

            payment.Status = PaymentStatus.Failed;
            payment.FailureCode = Truncate(code, 100);
            payment.FailureMessage = Truncate(message, 500);
            payment.CompletedAt = now;
            if (payment.Kind == PaymentKind.AutoTopUp)
            {
                if (account.AutoTopUpPaymentId == payment.Id)
                {
                    account.AutoTopUpPaymentId = null;
                }

                account.AutoTopUpLastError = Truncate(message, 500);
                account.AutoTopUpLastErrorAt = now;
                if (decline)
                {
                    account.AutoTopUpDeclines++;
                    if (account.AutoTopUpDeclines >= options.Value.AutoTopUp.MaxDeclines && account.AutoTopUpEnabled)
                    {
                        account.AutoTopUpEnabled = false;
                        logger.LogWarning("Auto top-up of user {UserId} turned off after {Declines} declines", userId, account.AutoTopUpDeclines);
                    }
                }
            }

            logger.LogWarning("Payment {PaymentId} ({Kind}) of user {UserId} failed: {Code} {Message}", payment.Id, payment.Kind, userId, code, message);
            return PaymentOutcome.Applied;
        }, cancellationToken);
    }

    /// <summary>
    /// Stripe refunded money: takes the matching credits back from the purchase pool, as far as they are unspent.
    /// <paramref name="totalRefundedCents"/> is Stripe's cumulative figure, so repeated or reordered reports apply once.
    /// </summary>
    public async Task<PaymentOutcome> RefundedAsync(string paymentIntentId, long totalRefundedCents, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(paymentIntentId);
        var known = await db.Payments.AsNoTracking().Where(p => p.PaymentIntentId == paymentIntentId).Select(p => new { p.Id, p.UserId }).SingleOrDefaultAsync(cancellationToken);
        if (known is null)
        {
            return PaymentOutcome.UnknownPayment;
        }

        return await accountLock.RunAsync(known.UserId, async (_, ct) =>
        {
            var now = clock.GetUtcNow();
            var payment = await db.Payments.SingleAsync(p => p.Id == known.Id, ct);
            var newCents = totalRefundedCents - payment.RefundedCents;
            if (newCents <= 0)
            {
                return PaymentOutcome.AlreadyApplied;
            }

            payment.RefundedCents = totalRefundedCents;
            if (payment.Status == PaymentStatus.Succeeded && payment.PoolId is not null)
            {
                var pools = await UserPools.LoadAsync(db, known.UserId, [payment.PoolId.Value], ct);
                ClawBack(pools, payment, Money.CentsToMicros(newCents), now);
            }

            return PaymentOutcome.Applied;
        }, cancellationToken);
    }

    /// <summary>Remembers the PaymentIntent a Checkout Session created (Stripe reports it with the session).</summary>
    public async Task AttachPaymentIntentAsync(Guid paymentId, string paymentIntentId, CancellationToken cancellationToken) =>
        await db.Payments.Where(p => p.Id == paymentId && p.PaymentIntentId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.PaymentIntentId, paymentIntentId), cancellationToken);

    /// <summary>
    /// A card was saved through a verification session: keeps it for auto top-up and grants the trial once per user
    /// and never twice for the same card (fingerprint).
    /// </summary>
    public async Task<TrialOutcome> VerifiedAsync(Guid paymentId, StripeCard card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        var userId = await UserOfAsync(paymentId, cancellationToken);
        if (userId is null)
        {
            return TrialOutcome.UnknownPayment;
        }

        return await accountLock.RunAsync(userId, async (account, ct) =>
        {
            var now = clock.GetUtcNow();
            var payment = await db.Payments.SingleAsync(p => p.Id == paymentId, ct);
            if (payment.Status == PaymentStatus.Succeeded)
            {
                return TrialOutcome.AlreadyProcessed;
            }

            payment.Status = PaymentStatus.Succeeded;
            payment.CompletedAt = now;
            account.PaymentMethodId = card.PaymentMethodId;
            account.CardBrand = Truncate(card.Brand, 32);
            account.CardLast4 = Truncate(card.Last4, 4);

            var trialMicros = Money.UsdToMicros(options.Value.TrialCreditsUsd);
            if (trialMicros == 0)
            {
                return TrialOutcome.TrialsDisabled;
            }

            if (account.TrialGrantedAt is not null || await db.TrialClaims.AnyAsync(t => t.UserId == userId, ct))
            {
                return TrialOutcome.UserAlreadyHadTrial;
            }

            if (string.IsNullOrEmpty(card.Fingerprint))
            {
                return TrialOutcome.NoCardFingerprint;
            }

            if (await db.TrialClaims.AnyAsync(t => t.CardFingerprint == card.Fingerprint, ct))
            {
                logger.LogInformation("No trial for user {UserId}: the card was already used for a trial", userId);
                return TrialOutcome.CardAlreadyUsed;
            }

            var pools = await UserPools.LoadAsync(db, userId, [], ct);
            var pool = CreditLedger.Grant(pools, userId, CreditSource.Trial, trialMicros, now + options.Value.TrialValidity, "trial for verifying a payment method", null, now);
            payment.PoolId = pool.Id;
            payment.CreditedMicros = trialMicros;
            account.TrialGrantedAt = now;
            // The unique key on the fingerprint is the last word if two accounts verify the same card at once.
            db.TrialClaims.Add(new TrialClaim { CardFingerprint = card.Fingerprint, UserId = userId, PoolId = pool.Id, CreatedAt = now });
            return TrialOutcome.Granted;
        }, cancellationToken);
    }

    private void ClawBack(UserPools pools, Payment payment, long micros, DateTimeOffset now)
    {
        var pool = pools.Find(payment.PoolId!.Value);
        var take = Math.Min(micros, pool.RemainingMicros);
        if (take > 0)
        {
            pools.Post(pool, LedgerEntryKind.Refund, -take, now, paymentReference: payment.PaymentIntentId, note: "refunded through Stripe");
        }

        if (take < micros)
        {
            payment.RefundShortfallMicros += micros - take;
            logger.LogWarning("Refund of payment {PaymentId}: {Shortfall} micro-dollars were already spent and could not be taken back", payment.Id, micros - take);
        }
    }

    private async Task<string?> UserOfAsync(Guid paymentId, CancellationToken cancellationToken) =>
        await db.Payments.AsNoTracking().Where(p => p.Id == paymentId).Select(p => p.UserId).SingleOrDefaultAsync(cancellationToken);

    private static string? Truncate(string? text, int length) => text is { } t && t.Length > length ? t[..length] : text;
}

public enum PaymentOutcome
{
    Applied,
    AlreadyApplied,
    Ignored,
    UnknownPayment,
}

public enum TrialOutcome
{
    Granted,
    AlreadyProcessed,
    UserAlreadyHadTrial,
    CardAlreadyUsed,
    NoCardFingerprint,
    TrialsDisabled,
    UnknownPayment,
}
