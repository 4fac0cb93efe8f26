using AkashML.Data;
using AkashML.Data.Billing;

namespace AkashML.Billing.TopUp;

/// <summary>Decides, inside the account's lock, whether a balance change starts an auto top-up.</summary>
internal static class AutoTopUpPolicy
{
    /// <summary>
    /// Starts an auto top-up when it is on, a card is saved, the usable balance is under the threshold, none is in
    /// flight and the last failure is older than the retry delay; returns the new payment to charge after commit.
    /// </summary>
    public static Guid? TryStart(AkashDbContext db, BillingAccount account, long usableMicros, DateTimeOffset now, BillingOptions options)
    {
        if (!options.Stripe.Enabled
            || !account.AutoTopUpEnabled
            || account.AutoTopUpPaymentId is not null
            || account.PaymentMethodId is null
            || account.StripeCustomerId is null
            || usableMicros >= account.AutoTopUpThresholdMicros
            || (account.AutoTopUpLastErrorAt is { } failed && now - failed < options.AutoTopUp.RetryAfter))
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
}
