using System.Linq.Expressions;
using System.Text.Json;
using AkashML.Billing.TopUp;
using Stripe;
using Stripe.Checkout;

namespace AkashML.Billing.Webhooks;

/// <summary>
/// Handles one delivery to <c>/stripe/webhook</c>: Stripe.net verifies <c>Stripe-Signature</c> and reads the event; event
/// ids already handled are skipped; checkout.session.completed, payment_intent.succeeded, payment_intent.payment_failed
/// charge.refunded and charge.dispute.funds_withdrawn are applied (funds_reinstated is logged for an operator). Other types are acknowledged and ignored. The HTTP endpoint lives in the web host.
/// </summary>
/// <remarks>
/// Order does not matter: a PaymentIntent carries our payment id in its metadata, so it can credit a top-up before the
/// Checkout Session event arrives (which then finds it done); a failure report after a success is ignored; refunds use
/// Stripe's cumulative refunded amount; a refund of a payment we cannot match yet is answered with 409 so Stripe retries.
/// </remarks>
public sealed class StripeWebhookProcessor(
    AkashDbContext db,
    PaymentOutcomes outcomes,
    StripeClient stripe,
    TimeProvider clock,
    IOptions<BillingOptions> options,
    ILogger<StripeWebhookProcessor> logger)
{
    /// <summary>Largest body accepted; Stripe events are a few kilobytes.</summary>
    public const int MaxPayloadBytes = 512 * 1024;

    public async Task<StripeWebhookResult> ProcessAsync(string payload, string? signatureHeader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var stripeOptions = options.Value.Stripe;
        if (string.IsNullOrWhiteSpace(stripeOptions.WebhookSecret))
        {
            return new(WebhookOutcome.NotConfigured, "Stripe webhooks are not configured.");
        }

        if (Verify(payload, signatureHeader, stripeOptions, out var received) is { } refusal)
        {
            return refusal;
        }

        if (received is not { Id: { } eventId, Type: { } type })
        {
            return new(WebhookOutcome.InvalidPayload, "The event has no id or type.");
        }

        if (await db.StripeEvents.AsNoTracking().AnyAsync(e => e.Id == eventId, cancellationToken))
        {
            return new(WebhookOutcome.Duplicate, "Already handled.", eventId, type);
        }

        WebhookOutcome outcome;
        string message;
        try
        {
            (outcome, message) = (type, received.Data?.Object) switch
            {
                (EventTypes.CheckoutSessionCompleted, Session session) => await CheckoutCompletedAsync(session, cancellationToken),
                (EventTypes.PaymentIntentSucceeded, PaymentIntent intent) => await PaymentIntentAsync(intent, (paymentId, ct) =>
                    outcomes.SucceededAsync(paymentId, intent.Id, intent.AmountReceived, intent.PaymentMethodId, ct), cancellationToken),
                (EventTypes.PaymentIntentPaymentFailed, PaymentIntent intent) => await PaymentIntentAsync(intent, (paymentId, ct) =>
                    outcomes.FailedAsync(paymentId, intent.Id, intent.LastPaymentError?.DeclineCode ?? intent.LastPaymentError?.Code,
                        intent.LastPaymentError?.Message ?? "The payment failed.", decline: intent.LastPaymentError?.Type == "card_error", ct), cancellationToken),
                (EventTypes.ChargeRefunded, Charge charge) => await ChargeRefundedAsync(charge, cancellationToken),
                (EventTypes.ChargeDisputeFundsWithdrawn, Dispute dispute) => await DisputeWithdrawnAsync(dispute, cancellationToken),
                (EventTypes.ChargeDisputeFundsReinstated, Dispute dispute) => DisputeReinstated(dispute),
                (EventTypes.CheckoutSessionCompleted or EventTypes.PaymentIntentSucceeded or EventTypes.PaymentIntentPaymentFailed or EventTypes.ChargeRefunded
                    or EventTypes.ChargeDisputeFundsWithdrawn or EventTypes.ChargeDisputeFundsReinstated, _) =>
                    (WebhookOutcome.InvalidPayload, $"A {type} event without its object."),
                _ => (WebhookOutcome.Ignored, $"Event type {type} is not used."),
            };
        }
        catch (Exception ex) when (StripeFailure.TryRead(ex, cancellationToken, out var failure))
        {
            // Stripe could not tell us about the object the event names (e.g. the SetupIntent): try again later.
            logger.LogWarning(ex, "Stripe event {EventId} {Type} could not be completed", eventId, type);
            return new(WebhookOutcome.RetryLater, failure.Message, eventId, type);
        }

        if (outcome is WebhookOutcome.RetryLater or WebhookOutcome.InvalidPayload)
        {
            return new(outcome, message, eventId, type);
        }

        db.StripeEvents.Add(new StripeEventRecord { Id = eventId, Type = type.Length > 100 ? type[..100] : type, ReceivedAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent delivery of the same event recorded it first; the handlers are idempotent, so both are fine.
            return new(WebhookOutcome.Duplicate, "Already handled.", eventId, type);
        }

        logger.LogInformation("Stripe event {EventId} {Type}: {Outcome} ({Message})", eventId, type, outcome, message);
        return new(outcome, message, eventId, type);
    }

    /// <summary>
    /// Null with the event when the body is a signed Stripe event, else the refusal. Stripe.net checks the HMAC and the
    /// timestamp's age (against our clock), then reads the event; it refuses an event of an API version other than its
    /// own, whose objects it could misread.
    /// </summary>
    private StripeWebhookResult? Verify(string payload, string? signatureHeader, StripeOptions stripeOptions, out Event? received)
    {
        received = null;
        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            logger.LogWarning("Rejected a Stripe webhook: no Stripe-Signature header");
            return new(WebhookOutcome.InvalidSignature, "The Stripe-Signature header is missing.");
        }

        try
        {
            EventUtility.ValidateSignature(payload, signatureHeader, stripeOptions.WebhookSecret,
                (long)stripeOptions.WebhookTolerance.TotalSeconds, clock.GetUtcNow().ToUnixTimeSeconds());
        }
        catch (StripeException ex)
        {
            logger.LogWarning("Rejected a Stripe webhook: {Reason}", ex.Message);
            return new(WebhookOutcome.InvalidSignature, ex.Message);
        }

        try
        {
            received = EventUtility.ParseEvent(payload, throwOnApiVersionMismatch: true);
            return null;
        }
        catch (StripeException ex)
        {
            // The webhook endpoint's API version differs from Stripe.net's: every event fails until an operator fixes it.
            logger.LogError("Rejected a Stripe webhook: {Reason}", ex.Message);
            return new(WebhookOutcome.InvalidPayload, ex.Message);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException)
        {
            // What Stripe.net 53 throws for signed bodies that are not events: JsonException for bad JSON or fields of the
            // wrong type, InvalidOperationException for a JSON value that is not an object, NullReferenceException for an
            // object without api_version (its version check reads it unguarded).
            return new(WebhookOutcome.InvalidPayload, "The body is not a Stripe event: " + ex.Message);
        }
    }

    private async Task<(WebhookOutcome, string)> CheckoutCompletedAsync(Session session, CancellationToken ct)
    {
        var paymentId = await FindPaymentAsync(session.Metadata, session.Id is { } sessionId ? p => p.CheckoutSessionId == sessionId : null, ct);
        if (paymentId is null)
        {
            return (WebhookOutcome.Ignored, "Not a session of ours.");
        }

        switch (session.Mode)
        {
            case "payment":
                if (session.PaymentIntentId is not { } intentId)
                {
                    return (WebhookOutcome.InvalidPayload, "A paid session without a payment_intent.");
                }

                await outcomes.AttachPaymentIntentAsync(paymentId.Value, intentId, ct);
                if (session.PaymentStatus != "paid")
                {
                    return (WebhookOutcome.Processed, "Awaiting the payment (asynchronous payment method).");
                }

                return (WebhookOutcome.Processed, "Top-up " + await outcomes.SucceededAsync(paymentId.Value, intentId, session.AmountTotal ?? 0, null, ct));

            case "setup":
                if (session.SetupIntentId is not { } setupIntentId)
                {
                    return (WebhookOutcome.InvalidPayload, "A setup session without a setup_intent.");
                }

                // Events do not expand the SetupIntent: ask Stripe for the card it saved (the fingerprint decides the trial).
                var setupIntent = session.SetupIntent?.PaymentMethod is null
                    ? await stripe.V1.SetupIntents.GetAsync(setupIntentId, new SetupIntentGetOptions { Expand = ["payment_method"] }, cancellationToken: ct)
                    : session.SetupIntent;
                if (setupIntent.PaymentMethod is not { } card)
                {
                    return (WebhookOutcome.RetryLater, $"SetupIntent {setupIntentId} has no payment method yet.");
                }

                return (WebhookOutcome.Processed, "Card saved; trial " + await outcomes.VerifiedAsync(paymentId.Value, card, ct));

            default:
                return (WebhookOutcome.Ignored, "Session mode not used.");
        }
    }

    private async Task<(WebhookOutcome, string)> PaymentIntentAsync(PaymentIntent intent, Func<Guid, CancellationToken, Task<PaymentOutcome>> apply, CancellationToken ct)
    {
        if (intent.Id is not { } intentId)
        {
            return (WebhookOutcome.InvalidPayload, "A PaymentIntent without an id.");
        }

        var paymentId = await FindPaymentAsync(intent.Metadata, p => p.PaymentIntentId == intentId, ct);
        return paymentId is null
            ? (WebhookOutcome.Ignored, "Not a payment of ours.")
            : (WebhookOutcome.Processed, "Payment " + await apply(paymentId.Value, ct));
    }

    private async Task<(WebhookOutcome, string)> ChargeRefundedAsync(Charge charge, CancellationToken ct)
    {
        if (charge.PaymentIntentId is not { } intentId)
        {
            return (WebhookOutcome.InvalidPayload, "A charge without payment_intent.");
        }

        var outcome = await outcomes.RefundedAsync(intentId, charge.AmountRefunded, ct);
        if (outcome != PaymentOutcome.UnknownPayment)
        {
            return (WebhookOutcome.Processed, "Refund " + outcome);
        }

        // Ours (our customer) but the payment is not matched yet: the session event is still on its way.
        var customer = charge.CustomerId;
        return customer is not null && await db.BillingAccounts.AsNoTracking().AnyAsync(a => a.StripeCustomerId == customer, ct)
            ? (WebhookOutcome.RetryLater, "The refunded payment is not known yet.")
            : (WebhookOutcome.Ignored, "Not a payment of ours.");
    }

    private async Task<(WebhookOutcome, string)> DisputeWithdrawnAsync(Dispute dispute, CancellationToken ct)
    {
        if (dispute.PaymentIntentId is not { } intentId)
        {
            return (WebhookOutcome.InvalidPayload, "A dispute without payment_intent.");
        }

        var outcome = await outcomes.DisputeWithdrawnAsync(intentId, dispute.Amount, ct);
        return outcome == PaymentOutcome.UnknownPayment
            ? (WebhookOutcome.Ignored, "Not a payment of ours.")
            : (WebhookOutcome.Processed, "Dispute withdrawal " + outcome);
    }

    // Credits taken back for a dispute are not given back automatically when the dispute is won: an operator decides
    // (credits grant), because by then the user may have bought again or the account may be closed.
    private (WebhookOutcome, string) DisputeReinstated(Dispute dispute)
    {
        logger.LogWarning("Dispute {DisputeId} on {PaymentIntent} was won: {Amount} cents reinstated; grant the credits back if due", dispute.Id, dispute.PaymentIntentId, dispute.Amount);
        return (WebhookOutcome.Processed, "Dispute reinstated: recorded for an operator.");
    }

    /// <summary>Our payment id from the object's metadata, else the payment matched by a Stripe id.</summary>
    private async Task<Guid?> FindPaymentAsync(IDictionary<string, string>? metadata, Expression<Func<Payment, bool>>? byStripeId, CancellationToken ct)
    {
        if (StripeMetadata.PaymentIdOf(metadata) is { } id && await db.Payments.AsNoTracking().AnyAsync(p => p.Id == id, ct))
        {
            return id;
        }

        return byStripeId is null ? null : await db.Payments.AsNoTracking().Where(byStripeId).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct);
    }
}
