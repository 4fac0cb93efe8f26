using System.Text.Json;
using AkashML.Billing.TopUp;
using AkashML.Data;
using AkashML.Data.Billing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AkashML.Billing.Stripe;

/// <summary>
/// Handles one delivery to <c>/stripe/webhook</c>: verifies <c>Stripe-Signature</c>, skips event ids already handled,
/// and applies checkout.session.completed, payment_intent.succeeded, payment_intent.payment_failed and charge.refunded.
/// Other types are acknowledged and ignored. The HTTP endpoint itself lives in the web host.
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

        var signature = StripeSignature.Verify(payload, signatureHeader, stripeOptions.WebhookSecret, clock.GetUtcNow(), stripeOptions.WebhookTolerance);
        if (signature != SignatureCheck.Valid)
        {
            logger.LogWarning("Rejected a Stripe webhook: signature {Check}", signature);
            return new(WebhookOutcome.InvalidSignature, signature switch
            {
                SignatureCheck.Missing => "The Stripe-Signature header is missing.",
                SignatureCheck.Malformed => "The Stripe-Signature header is malformed.",
                SignatureCheck.OutsideTolerance => "The Stripe-Signature timestamp is outside the tolerance.",
                _ => "The Stripe-Signature does not match.",
            });
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(payload);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return new(WebhookOutcome.InvalidPayload, "The body is not JSON.");
        }

        var eventId = StripeClient.OptionalString(root, "id");
        var type = StripeClient.OptionalString(root, "type");
        if (eventId is null || type is null
            || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
        {
            return new(WebhookOutcome.InvalidPayload, "The body is not a Stripe event (id, type and data.object are required).");
        }

        if (await db.StripeEvents.AsNoTracking().AnyAsync(e => e.Id == eventId, cancellationToken))
        {
            return new(WebhookOutcome.Duplicate, "Already handled.", eventId, type);
        }

        WebhookOutcome outcome;
        string message;
        try
        {
            (outcome, message) = type switch
            {
                "checkout.session.completed" => await CheckoutCompletedAsync(obj, cancellationToken),
                "payment_intent.succeeded" => await PaymentIntentSucceededAsync(obj, cancellationToken),
                "payment_intent.payment_failed" => await PaymentIntentFailedAsync(obj, cancellationToken),
                "charge.refunded" => await ChargeRefundedAsync(obj, cancellationToken),
                _ => (WebhookOutcome.Ignored, $"Event type {type} is not used."),
            };
        }
        catch (StripeException ex)
        {
            // Stripe could not tell us about the object the event names (e.g. the SetupIntent): try again later.
            logger.LogWarning(ex, "Stripe event {EventId} {Type} could not be completed", eventId, type);
            return new(WebhookOutcome.RetryLater, ex.Message, eventId, type);
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

    private async Task<(WebhookOutcome, string)> CheckoutCompletedAsync(JsonElement session, CancellationToken ct)
    {
        var sessionId = StripeClient.OptionalString(session, "id");
        var paymentId = await FindPaymentAsync(session, sessionId is null ? null : p => p.CheckoutSessionId == sessionId, ct);
        if (paymentId is null)
        {
            return (WebhookOutcome.Ignored, "Not a session of ours.");
        }

        switch (StripeClient.OptionalString(session, "mode"))
        {
            case "payment":
                {
                    var intentId = StripeClient.IdOf(session, "payment_intent");
                    if (intentId is null)
                    {
                        return (WebhookOutcome.InvalidPayload, "A paid session without a payment_intent.");
                    }

                    await outcomes.AttachPaymentIntentAsync(paymentId.Value, intentId, ct);
                    if (StripeClient.OptionalString(session, "payment_status") != "paid")
                    {
                        return (WebhookOutcome.Processed, "Awaiting the payment (asynchronous payment method).");
                    }

                    var amount = session.TryGetProperty("amount_total", out var total) && total.ValueKind == JsonValueKind.Number ? total.GetInt64() : 0;
                    var outcome = await outcomes.SucceededAsync(paymentId.Value, intentId, amount, null, ct);
                    return (WebhookOutcome.Processed, "Top-up " + outcome);
                }

            case "setup":
                {
                    var setupIntent = session.TryGetProperty("setup_intent", out var si) ? si : default;
                    var card = setupIntent.ValueKind == JsonValueKind.Object && setupIntent.TryGetProperty("payment_method", out var pm) && pm.ValueKind == JsonValueKind.Object
                        ? StripeClient.ReadCard(pm)
                        : StripeClient.IdOf(session, "setup_intent") is { } setupIntentId
                            ? await stripe.GetSetupIntentCardAsync(setupIntentId, ct)
                            : null;
                    if (card is null)
                    {
                        return (WebhookOutcome.InvalidPayload, "A setup session without a setup_intent.");
                    }

                    var trial = await outcomes.VerifiedAsync(paymentId.Value, card, ct);
                    return (WebhookOutcome.Processed, "Card saved; trial " + trial);
                }

            default:
                return (WebhookOutcome.Ignored, "Session mode not used.");
        }
    }

    private async Task<(WebhookOutcome, string)> PaymentIntentSucceededAsync(JsonElement intent, CancellationToken ct)
    {
        if (StripeClient.OptionalString(intent, "id") is null)
        {
            return (WebhookOutcome.InvalidPayload, "A PaymentIntent without an id.");
        }

        var parsed = StripeClient.ReadPaymentIntent(intent);
        var paymentId = await FindPaymentAsync(intent, p => p.PaymentIntentId == parsed.Id, ct);
        if (paymentId is null)
        {
            return (WebhookOutcome.Ignored, "Not a payment of ours.");
        }

        var outcome = await outcomes.SucceededAsync(paymentId.Value, parsed.Id, parsed.AmountReceived, parsed.PaymentMethodId, ct);
        return (WebhookOutcome.Processed, "Payment " + outcome);
    }

    private async Task<(WebhookOutcome, string)> PaymentIntentFailedAsync(JsonElement intent, CancellationToken ct)
    {
        if (StripeClient.OptionalString(intent, "id") is null)
        {
            return (WebhookOutcome.InvalidPayload, "A PaymentIntent without an id.");
        }

        var parsed = StripeClient.ReadPaymentIntent(intent);
        var paymentId = await FindPaymentAsync(intent, p => p.PaymentIntentId == parsed.Id, ct);
        if (paymentId is null)
        {
            return (WebhookOutcome.Ignored, "Not a payment of ours.");
        }

        var error = intent.TryGetProperty("last_payment_error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        var hasError = error.ValueKind == JsonValueKind.Object;
        var code = hasError ? StripeClient.OptionalString(error, "decline_code") ?? StripeClient.OptionalString(error, "code") : null;
        var message = (hasError ? StripeClient.OptionalString(error, "message") : null) ?? "The payment failed.";
        var decline = hasError && StripeClient.OptionalString(error, "type") == "card_error";
        var outcome = await outcomes.FailedAsync(paymentId.Value, parsed.Id, code, message, decline, ct);
        return (WebhookOutcome.Processed, "Failure " + outcome);
    }

    private async Task<(WebhookOutcome, string)> ChargeRefundedAsync(JsonElement charge, CancellationToken ct)
    {
        var intentId = StripeClient.IdOf(charge, "payment_intent");
        var refunded = charge.TryGetProperty("amount_refunded", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt64() : -1;
        if (intentId is null || refunded < 0)
        {
            return (WebhookOutcome.InvalidPayload, "A charge without payment_intent or amount_refunded.");
        }

        var outcome = await outcomes.RefundedAsync(intentId, refunded, ct);
        if (outcome != PaymentOutcome.UnknownPayment)
        {
            return (WebhookOutcome.Processed, "Refund " + outcome);
        }

        // Ours (our customer) but the payment is not matched yet: the session event is still on its way.
        var customer = StripeClient.IdOf(charge, "customer");
        return customer is not null && await db.BillingAccounts.AsNoTracking().AnyAsync(a => a.StripeCustomerId == customer, ct)
            ? (WebhookOutcome.RetryLater, "The refunded payment is not known yet.")
            : (WebhookOutcome.Ignored, "Not a payment of ours.");
    }

    /// <summary>Our payment id from the object's metadata, else the payment matched by a Stripe id.</summary>
    private async Task<Guid?> FindPaymentAsync(JsonElement obj, System.Linq.Expressions.Expression<Func<Payment, bool>>? byStripeId, CancellationToken ct)
    {
        if (obj.TryGetProperty("metadata", out var metadata)
            && Guid.TryParse(StripeClient.OptionalString(metadata, "akashml_payment_id"), out var id)
            && await db.Payments.AsNoTracking().AnyAsync(p => p.Id == id, ct))
        {
            return id;
        }

        return byStripeId is null ? null : await db.Payments.AsNoTracking().Where(byStripeId).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct);
    }
}
