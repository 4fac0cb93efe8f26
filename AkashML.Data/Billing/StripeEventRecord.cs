namespace AkashML.Data.Billing;

/// <summary>A Stripe webhook event that has been handled; a second delivery of the same id is acknowledged and skipped.</summary>
public sealed class StripeEventRecord
{
    public required string Id { get; set; }

    public required string Type { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}
