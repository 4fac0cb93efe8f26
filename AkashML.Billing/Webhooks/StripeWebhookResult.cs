namespace AkashML.Billing.Webhooks;

public enum WebhookOutcome
{
    /// <summary>Handled now.</summary>
    Processed,

    /// <summary>This event id was handled before; nothing was done again.</summary>
    Duplicate,

    /// <summary>A type we do not act on, or an object that is not ours; acknowledged.</summary>
    Ignored,

    /// <summary>The signature is missing, wrong, or too old.</summary>
    InvalidSignature,

    /// <summary>The signed body is not a Stripe event.</summary>
    InvalidPayload,

    /// <summary>It refers to something not known yet (events out of order); Stripe delivers it again later.</summary>
    RetryLater,

    /// <summary>Webhooks are not configured here.</summary>
    NotConfigured,
}

/// <summary>What became of one webhook delivery, and the HTTP status to answer Stripe with.</summary>
public sealed record StripeWebhookResult(WebhookOutcome Outcome, string Message, string? EventId = null, string? EventType = null)
{
    /// <summary>2xx tells Stripe to stop; anything else makes it retry (wanted only for <see cref="WebhookOutcome.RetryLater"/>).</summary>
    public int StatusCode => Outcome switch
    {
        WebhookOutcome.Processed or WebhookOutcome.Duplicate or WebhookOutcome.Ignored => 200,
        WebhookOutcome.InvalidSignature or WebhookOutcome.InvalidPayload => 400,
        WebhookOutcome.RetryLater => 409,
        WebhookOutcome.NotConfigured => 404,
        _ => 500,
    };
}
