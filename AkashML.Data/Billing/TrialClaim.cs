namespace AkashML.Data.Billing;

/// <summary>The trial was granted to this user for this card: one row per user and per card fingerprint, both unique.</summary>
public sealed class TrialClaim
{
    public required string CardFingerprint { get; set; }

    public required string UserId { get; set; }

    public Guid PoolId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
