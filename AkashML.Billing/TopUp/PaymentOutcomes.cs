using AkashML.Billing.Ledger;
using AkashML.Billing.Prices;
using Stripe;

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
        return await UpdatePaymentAsync(paymentId, PaymentOutcome.UnknownPayment, async (account, payment, now, ct) =>
        {
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

            var pools = await UserPools.LoadAsync(db, payment.UserId, [], ct);
            var pool = CreditLedger.Grant(pools, payment.UserId, CreditSource.Purchase, Money.CentsToMicros(amountReceivedCents), expiresAt: null,
                payment.Kind == PaymentKind.AutoTopUp ? "auto top-up" : "top-up", paymentIntentId, now);
            Complete(payment, PaymentStatus.Succeeded, now);
            payment.PoolId = pool.Id;
            payment.CreditedMicros = pool.AmountMicros;
            payment.FailureCode = null;
            payment.FailureMessage = null;
            EndAutoTopUp(account, payment, failedAt: null, error: null);
            if (payment.RefundedCents > 0)
            {
                // The refund was reported before the payment itself: take it back now.
                ClawBack(pools, payment, Money.CentsToMicros(payment.RefundedCents), now, "refunded through Stripe");
            }

            logger.LogInformation("Payment {PaymentId} ({Kind}) of user {UserId} credited {Micros} micro-dollars", payment.Id, payment.Kind, payment.UserId, pool.AmountMicros);
            return PaymentOutcome.Applied;
        }, cancellationToken);
    }

    /// <summary>A charge failed. Auto top-ups count declines and turn themselves off at the configured limit.</summary>
    public async Task<PaymentOutcome> FailedAsync(Guid paymentId, string? paymentIntentId, string? code, string message, bool decline, CancellationToken cancellationToken) =>
        await UpdatePaymentAsync(paymentId, PaymentOutcome.UnknownPayment, (account, payment, now, _) =>
        {
            payment.PaymentIntentId ??= paymentIntentId;
            if (payment.Status is PaymentStatus.Succeeded or PaymentStatus.Failed)
            {
                return Task.FromResult(PaymentOutcome.AlreadyApplied);
            }

            Complete(payment, PaymentStatus.Failed, now);
            payment.FailureCode = Truncate(code, 100);
            payment.FailureMessage = Truncate(message, 500);
            EndAutoTopUp(account, payment, failedAt: now, error: message);
            if (payment.Kind == PaymentKind.AutoTopUp && decline && ++account.AutoTopUpDeclines >= options.Value.AutoTopUp.MaxDeclines && account.AutoTopUpEnabled)
            {
                account.AutoTopUpEnabled = false;
                logger.LogWarning("Auto top-up of user {UserId} turned off after {Declines} declines", payment.UserId, account.AutoTopUpDeclines);
            }

            logger.LogWarning("Payment {PaymentId} ({Kind}) of user {UserId} failed: {Code} {Message}", payment.Id, payment.Kind, payment.UserId, code, message);
            return Task.FromResult(PaymentOutcome.Applied);
        }, cancellationToken);

    /// <summary>
    /// Stripe refunded money: takes the matching credits back from the purchase pool, as far as they are unspent.
    /// <paramref name="totalRefundedCents"/> is Stripe's cumulative figure, so repeated or reordered reports apply once.
    /// </summary>
    public Task<PaymentOutcome> RefundedAsync(string paymentIntentId, long totalRefundedCents, CancellationToken cancellationToken) =>
        UpdateByIntentAsync(paymentIntentId, async (payment, now, ct) =>
        {
            var newCents = totalRefundedCents - payment.RefundedCents;
            if (newCents <= 0)
            {
                return PaymentOutcome.AlreadyApplied;
            }

            payment.RefundedCents = totalRefundedCents;
            if (payment.Status == PaymentStatus.Succeeded && payment.PoolId is not null)
            {
                var pools = await UserPools.LoadAsync(db, payment.UserId, [payment.PoolId.Value], ct);
                ClawBack(pools, payment, Money.CentsToMicros(newCents), now, "refunded through Stripe");
            }

            return PaymentOutcome.Applied;
        }, cancellationToken);

    /// <summary>
    /// The bank took a disputed payment's money back from us: its credits go the way a refund's do (what is left of
    /// them is taken back, the rest recorded as a shortfall). Stripe reports the withdrawal once per dispute, and the
    /// webhook processor handles each event once, so a replay takes nothing twice.
    /// </summary>
    public Task<PaymentOutcome> DisputeWithdrawnAsync(string paymentIntentId, long disputedCents, CancellationToken cancellationToken) =>
        UpdateByIntentAsync(paymentIntentId, async (payment, now, ct) =>
        {
            if (disputedCents <= 0 || payment.Status != PaymentStatus.Succeeded || payment.PoolId is null)
            {
                return PaymentOutcome.Ignored;
            }

            var pools = await UserPools.LoadAsync(db, payment.UserId, [payment.PoolId.Value], ct);
            ClawBack(pools, payment, Money.CentsToMicros(disputedCents), now, "withdrawn by a card dispute");
            return PaymentOutcome.Applied;
        }, cancellationToken);

    /// <summary>Applies <paramref name="apply"/> to the payment Stripe knows by <paramref name="paymentIntentId"/>, under the account's lock.</summary>
    private async Task<PaymentOutcome> UpdateByIntentAsync(string paymentIntentId, Func<Payment, DateTimeOffset, CancellationToken, Task<PaymentOutcome>> apply, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(paymentIntentId);
        var paymentId = await db.Payments.AsNoTracking().Where(p => p.PaymentIntentId == paymentIntentId).Select(p => (Guid?)p.Id).SingleOrDefaultAsync(cancellationToken);
        return paymentId is null
            ? PaymentOutcome.UnknownPayment
            : await UpdatePaymentAsync(paymentId.Value, PaymentOutcome.UnknownPayment, (_, payment, now, ct) => apply(payment, now, ct), cancellationToken);
    }

    /// <summary>Remembers the PaymentIntent a Checkout Session created (Stripe reports it with the session).</summary>
    public async Task AttachPaymentIntentAsync(Guid paymentId, string paymentIntentId, CancellationToken cancellationToken) =>
        await db.Payments.Where(p => p.Id == paymentId && p.PaymentIntentId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.PaymentIntentId, paymentIntentId), cancellationToken);

    /// <summary>
    /// A card was saved through a verification session: keeps it for auto top-up and grants the trial once per user
    /// and never twice for the same card (fingerprint).
    /// </summary>
    public async Task<TrialOutcome> VerifiedAsync(Guid paymentId, PaymentMethod card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        return await UpdatePaymentAsync(paymentId, TrialOutcome.UnknownPayment, async (account, payment, now, ct) =>
        {
            if (payment.Status == PaymentStatus.Succeeded)
            {
                return TrialOutcome.AlreadyProcessed;
            }

            Complete(payment, PaymentStatus.Succeeded, now);
            account.PaymentMethodId = card.Id;
            account.CardBrand = Truncate(card.Card?.Brand, 32);
            account.CardLast4 = Truncate(card.Card?.Last4, 4);
            var fingerprint = card.Card?.Fingerprint;

            var trialMicros = Money.UsdToMicros(options.Value.TrialCreditsUsd);
            if (trialMicros == 0)
            {
                return TrialOutcome.TrialsDisabled;
            }

            if (account.TrialGrantedAt is not null || await db.TrialClaims.AnyAsync(t => t.UserId == payment.UserId, ct))
            {
                return TrialOutcome.UserAlreadyHadTrial;
            }

            if (string.IsNullOrEmpty(fingerprint))
            {
                return TrialOutcome.NoCardFingerprint;
            }

            if (await db.TrialClaims.AnyAsync(t => t.CardFingerprint == fingerprint, ct))
            {
                logger.LogInformation("No trial for user {UserId}: the card was already used for a trial", payment.UserId);
                return TrialOutcome.CardAlreadyUsed;
            }

            var pools = await UserPools.LoadAsync(db, payment.UserId, [], ct);
            var pool = CreditLedger.Grant(pools, payment.UserId, CreditSource.Trial, trialMicros, now + options.Value.TrialValidity, "trial for verifying a payment method", null, now);
            payment.PoolId = pool.Id;
            payment.CreditedMicros = trialMicros;
            account.TrialGrantedAt = now;
            // The unique key on the fingerprint is the last word if two accounts verify the same card at once.
            db.TrialClaims.Add(new TrialClaim { CardFingerprint = fingerprint, UserId = payment.UserId, PoolId = pool.Id, CreatedAt = now });
            return TrialOutcome.Granted;
        }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="apply"/> on the payment and its owner's billing account inside the owner's lock, so reports
    /// about one payment (and the balance changes they cause) never interleave; <paramref name="unknown"/> when no such
    /// payment exists.
    /// </summary>
    private async Task<T> UpdatePaymentAsync<T>(Guid paymentId, T unknown, Func<BillingAccount, Payment, DateTimeOffset, CancellationToken, Task<T>> apply, CancellationToken cancellationToken)
    {
        var userId = await db.Payments.AsNoTracking().Where(p => p.Id == paymentId).Select(p => p.UserId).SingleOrDefaultAsync(cancellationToken);
        if (userId is null)
        {
            return unknown;
        }

        return await accountLock.RunAsync(userId, async (account, ct) =>
        {
            var payment = await db.Payments.SingleAsync(p => p.Id == paymentId, ct);
            return await apply(account, payment, clock.GetUtcNow(), ct);
        }, cancellationToken);
    }

    private static void Complete(Payment payment, PaymentStatus status, DateTimeOffset now)
    {
        payment.Status = status;
        payment.CompletedAt = now;
    }

    /// <summary>
    /// An auto top-up has an outcome: the next one may start. A success clears the decline count and the last error; a
    /// failure records the error, so the next try waits for <see cref="AutoTopUpOptions.RetryAfter"/>.
    /// </summary>
    private static void EndAutoTopUp(BillingAccount account, Payment payment, DateTimeOffset? failedAt, string? error)
    {
        if (payment.Kind != PaymentKind.AutoTopUp)
        {
            return;
        }

        if (account.AutoTopUpPaymentId == payment.Id)
        {
            account.AutoTopUpPaymentId = null;
        }

        if (failedAt is null)
        {
            account.AutoTopUpDeclines = 0;
        }

        account.AutoTopUpLastError = Truncate(error, 500);
        account.AutoTopUpLastErrorAt = failedAt;
    }

    private void ClawBack(UserPools pools, Payment payment, long micros, DateTimeOffset now, string note)
    {
        var pool = pools.Find(payment.PoolId!.Value);
        var take = Math.Min(micros, pool.RemainingMicros);
        if (take > 0)
        {
            pools.Post(pool, LedgerEntryKind.Refund, -take, now, paymentReference: payment.PaymentIntentId, note: note);
        }

        if (take < micros)
        {
            payment.RefundShortfallMicros += micros - take;
            logger.LogWarning("Refund of payment {PaymentId}: {Shortfall} micro-dollars were already spent and could not be taken back", payment.Id, micros - take);
        }
    }

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
