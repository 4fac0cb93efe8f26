namespace AkashML.Billing.Stripe;

/// <summary>The parts of a Checkout Session we use.</summary>
public sealed record StripeCheckoutSession(string Id, string? Url);

/// <summary>The parts of a PaymentIntent we use.</summary>
public sealed record StripePaymentIntent(string Id, string Status, long AmountReceived, string? PaymentMethodId);

/// <summary>A saved card: the fingerprint identifies the card number across customers.</summary>
public sealed record StripeCard(string PaymentMethodId, string? Fingerprint, string? Brand, string? Last4);
