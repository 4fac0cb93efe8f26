namespace AkashML.Web.Keys;

/// <summary>What the gateway knows about the caller once a key checks out.</summary>
public sealed record AuthenticatedKey(Guid KeyId, string UserId, string Name, ApiKeyLimits Limits);
