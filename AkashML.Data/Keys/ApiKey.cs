using AkashML.Data.Identity;

namespace AkashML.Data.Keys;

/// <summary>
/// An API key. The secret itself is never stored: only its HMAC-SHA256 (with a server-side pepper), the prefix and
/// the last four characters.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string UserId { get; set; }

    public ApplicationUser? User { get; set; }

    public required string Name { get; set; }

    /// <summary>HMAC-SHA256 of the full secret, hex; unique and indexed for O(1) lookup.</summary>
    public required string SecretHash { get; set; }

    /// <summary>The recognisable start of the secret (e.g. <c>akml-</c>).</summary>
    public required string Prefix { get; set; }

    public required string LastFour { get; set; }

    /// <summary>
    /// HMAC of the secret this key had before its last roll, accepted until <see cref="PreviousSecretExpiresAt"/>;
    /// unique and indexed like <see cref="SecretHash"/>. Null when the key was never rolled or the grace is over.
    /// </summary>
    public string? PreviousSecretHash { get; set; }

    public string? PreviousLastFour { get; set; }

    /// <summary>When the previous secret stops working (the grace period the caller picked when rolling).</summary>
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    public int? RequestsPerMinute { get; set; }

    public int? TokensPerMinute { get; set; }

    public int? MaxConcurrency { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The most the key may spend per <see cref="BudgetPeriod"/>, in micro-dollars; null is no limit.</summary>
    public long? BudgetMicros { get; set; }

    public ApiKeyBudgetPeriod BudgetPeriod { get; set; }

    /// <summary>The model ids the key may call; null allows every model.</summary>
    public List<string>? AllowedModels { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
