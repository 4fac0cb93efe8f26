namespace AkashML.Data.Limits;

/// <summary>What a per-minute window counts.</summary>
public enum RateLimitKind
{
    Requests = 1,
    Tokens = 2,
}
