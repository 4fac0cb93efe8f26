using Stripe;

namespace AkashML.Billing.TopUp;

/// <summary>Charges one auto top-up: an off-session PaymentIntent with the saved card, confirmed at once.</summary>
public sealed class AutoTopUpCharger(AkashDbContext db, StripeClient stripe, PaymentOutcomes outcomes, ILogger<AutoTopUpCharger> logger)
{
    public async Task ChargeAsync(Guid paymentId, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == paymentId, cancellationToken);
        if (payment is not { Kind: PaymentKind.AutoTopUp, Status: PaymentStatus.Pending })
        {
            return;
        }

        var account = await db.BillingAccounts.AsNoTracking().SingleAsync(a => a.UserId == payment.UserId, cancellationToken);
        if (account.StripeCustomerId is null || account.PaymentMethodId is null)
        {
            await outcomes.FailedAsync(paymentId, null, "no_payment_method", "No saved payment method to charge.", decline: false, cancellationToken);
            return;
        }

        var charge = new PaymentIntentCreateOptions
        {
            Amount = payment.AmountCents,
            Currency = payment.Currency,
            Customer = account.StripeCustomerId,
            PaymentMethod = account.PaymentMethodId,
            OffSession = true,
            Confirm = true,
            Description = "AkashML auto top-up",
            Metadata = StripeMetadata.For(payment, "auto_top_up"),
        };
        try
        {
            // The key is the payment's: a retry after a crash or timeout finds the same PaymentIntent, never a second charge.
            var intent = await stripe.V1.PaymentIntents.CreateAsync(charge, new RequestOptions { IdempotencyKey = "akashml-autotopup-" + payment.Id }, cancellationToken);
            await outcomes.AttachPaymentIntentAsync(payment.Id, intent.Id, cancellationToken);
            if (intent.Status == "succeeded")
            {
                await outcomes.SucceededAsync(payment.Id, intent.Id, intent.AmountReceived, intent.PaymentMethodId, cancellationToken);
            }
            else if (intent.Status is "requires_payment_method" or "canceled")
            {
                await outcomes.FailedAsync(payment.Id, intent.Id, intent.Status, "The saved card could not be charged.", decline: true, cancellationToken);
            }

            // Anything else ("processing") finishes with a payment_intent webhook.
        }
        catch (Exception ex) when (StripeFailure.TryRead(ex, cancellationToken, out var failure))
        {
            logger.LogWarning("Auto top-up {PaymentId} failed: {Code} {Message}", payment.Id, failure.Code, failure.Message);
            await outcomes.FailedAsync(payment.Id, failure.PaymentIntentId, failure.Code, failure.Message, decline: failure.IsCardError, cancellationToken);
        }
    }
}
