using AkashML.Data.Identity;

namespace AkashML.Data.Billing;

/// <summary>
/// Per-user billing state: the Stripe customer, the saved payment method, auto top-up settings. Its row is also the
/// lock that serializes every change to the user's credits (<c>SELECT … FOR UPDATE</c> on PostgreSQL).
/// </summary>
public sealed class BillingAccount
{
    public required string UserId { get; set; }

    public ApplicationUser? User { get; set; }

    public string? StripeCustomerId { get; set; }

    /// <summary>The payment method saved for off-session charges (auto top-up).</summary>
    public string? PaymentMethodId { get; set; }

    public string? CardBrand { get; set; }

    public string? CardLast4 { get; set; }

    public DateTimeOffset? TrialGrantedAt { get; set; }

    public bool AutoTopUpEnabled { get; set; }

    public long AutoTopUpThresholdMicros { get; set; }

    public long AutoTopUpAmountMicros { get; set; }

    /// <summary>The auto top-up payment being charged, if any: at most one at a time.</summary>
    public Guid? AutoTopUpPaymentId { get; set; }

    /// <summary>Declines since the last successful auto top-up; auto top-up turns itself off at the configured limit.</summary>
    public int AutoTopUpDeclines { get; set; }

    public string? AutoTopUpLastError { get; set; }

    public DateTimeOffset? AutoTopUpLastErrorAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
