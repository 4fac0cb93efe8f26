using AkashML.Billing.Stripe;
using AkashML.Data;
using AkashML.Data.Billing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

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

        var metadata = new Dictionary<string, string>
        {
            ["akashml_payment_id"] = payment.Id.ToString(),
            ["akashml_user_id"] = payment.UserId,
            ["akashml_kind"] = "auto_top_up",
        };
        try
        {
            // The key is the payment's: a retry after a crash or timeout finds the same PaymentIntent, never a second charge.
            var intent = await stripe.CreateOffSessionPaymentIntentAsync(account.StripeCustomerId, account.PaymentMethodId, payment.AmountCents, payment.Currency,
                metadata, "AkashML auto top-up", "akashml-autotopup-" + payment.Id, cancellationToken);
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
        catch (StripeException ex)
        {
            logger.LogWarning("Auto top-up {PaymentId} failed: {Type} {Code} {Message}", payment.Id, ex.Type, ex.DeclineCode ?? ex.Code, ex.Message);
            await outcomes.FailedAsync(payment.Id, ex.PaymentIntentId, ex.DeclineCode ?? ex.Code ?? ex.Type, ex.Message, decline: ex.IsCardError, cancellationToken);
        }
    }
}
