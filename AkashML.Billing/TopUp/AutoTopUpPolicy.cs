namespace AkashML.Billing.TopUp;

/// <summary>Decides, inside the account's lock, whether a balance change starts an auto top-up.</summary>
internal static class AutoTopUpPolicy
{
    /// <summary>
    /// Starts an auto top-up when <see cref="WouldStart"/> says so; returns the new payment to charge after commit.
    /// </summary>
    public static Guid? TryStart(AkashDbContext db, BillingAccount account, long usableMicros, DateTimeOffset now, BillingOptions options)
    {
        if (!WouldStart(account, usableMicros, now, options))
        {
            return null;
        }

        var payment = new Payment
        {
            UserId = account.UserId,
            Kind = PaymentKind.AutoTopUp,
            Status = PaymentStatus.Pending,
            AmountCents = Prices.Money.MicrosToCents(account.AutoTopUpAmountMicros, MidpointRounding.ToPositiveInfinity),
            Currency = options.Stripe.Currency.ToLowerInvariant(),
            CreatedAt = now,
        };
        db.Payments.Add(payment);
        account.AutoTopUpPaymentId = payment.Id;
        return payment.Id;
    }

    /// <summary>
    /// True when auto top-up is on, a card is saved, the usable balance is under the threshold, none is in flight and
    /// the last failure is older than the retry delay.
    /// </summary>
    public static bool WouldStart(BillingAccount account, long usableMicros, DateTimeOffset now, BillingOptions options) =>
        options.Stripe.Enabled
        && account.AutoTopUpEnabled
        && account.AutoTopUpPaymentId is null
        && account.PaymentMethodId is not null
        && account.StripeCustomerId is not null
        && usableMicros < account.AutoTopUpThresholdMicros
        && (account.AutoTopUpLastErrorAt is not { } failed || now - failed >= options.AutoTopUp.RetryAfter);
}
