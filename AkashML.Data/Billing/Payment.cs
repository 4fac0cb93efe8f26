namespace AkashML.Data.Billing;

/// <summary>One attempt to take money (or to save a card) through Stripe, and what came of it.</summary>
public sealed class Payment
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string UserId { get; set; }

    public PaymentKind Kind { get; set; }

    public PaymentStatus Status { get; set; }

    /// <summary>Amount asked for, in cents of <see cref="Currency"/>; 0 for a verification.</summary>
    public long AmountCents { get; set; }

    public required string Currency { get; set; }

    public string? CheckoutSessionId { get; set; }

    public string? PaymentIntentId { get; set; }

    /// <summary>The credit pool the payment bought, once it succeeded.</summary>
    public Guid? PoolId { get; set; }

    public long CreditedMicros { get; set; }

    /// <summary>Cumulative amount refunded through Stripe, in cents.</summary>
    public long RefundedCents { get; set; }

    /// <summary>Refunded credits that could not be taken back because they were already spent.</summary>
    public long RefundShortfallMicros { get; set; }

    public string? FailureCode { get; set; }

    public string? FailureMessage { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}
