namespace AkashML.Web.Keys;

/// <summary>What changes about a key while its page is open: when it was last used and whether it was revoked.</summary>
public sealed record ApiKeyActivity(Guid Id, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
