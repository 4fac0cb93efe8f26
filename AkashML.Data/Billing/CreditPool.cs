using AkashML.Data.Identity;

namespace AkashML.Data.Billing;

/// <summary>
/// One grant of credits. Spending draws from the soonest-expiring pool first. <see cref="RemainingMicros"/> is what is
/// neither spent, held by an open reservation, expired nor refunded; it always equals the sum of the pool's ledger entries.
/// </summary>
public sealed class CreditPool
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string UserId { get; set; }

    public ApplicationUser? User { get; set; }

    public CreditSource Source { get; set; }

    /// <summary>Granted amount in micro-dollars (1 USD = 1,000,000).</summary>
    public long AmountMicros { get; set; }

    public long RemainingMicros { get; set; }

    /// <summary>The instant the remainder stops counting; null = never.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Payment reference (Stripe PaymentIntent id) for purchases, free text for grants.</summary>
    public string? Reference { get; set; }

    public string? Reason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
