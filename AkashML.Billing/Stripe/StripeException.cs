namespace AkashML.Billing.Stripe;

/// <summary>Stripe answered with an error object (or not at all).</summary>
/// <param name="StatusCode">The HTTP status Stripe answered with; 0 when it could not be reached.</param>
/// <param name="Type">Stripe's error type: <c>card_error</c>, <c>invalid_request_error</c>, <c>api_error</c>…</param>
/// <param name="Code">Stripe's error code, e.g. <c>card_declined</c>.</param>
/// <param name="DeclineCode">The issuer's reason for a decline, e.g. <c>insufficient_funds</c>.</param>
/// <param name="PaymentIntentId">The PaymentIntent the error belongs to, if Stripe says.</param>
public sealed class StripeException(int statusCode, string? type, string? code, string? declineCode, string message, string? paymentIntentId = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;

    public string? Type { get; } = type;

    public string? Code { get; } = code;

    public string? DeclineCode { get; } = declineCode;

    public string? PaymentIntentId { get; } = paymentIntentId;

    /// <summary>The card was declined or needs the customer (not our fault, not Stripe's).</summary>
    public bool IsCardError => Type == "card_error";
}
