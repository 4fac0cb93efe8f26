namespace AkashML.Web.Keys;

/// <summary>Optional limits of a key; null means unlimited.</summary>
public sealed record ApiKeyLimits(int? RequestsPerMinute, int? TokensPerMinute, int? MaxConcurrency, DateTimeOffset? ExpiresAt)
{
    public static readonly ApiKeyLimits None = new(null, null, null, null);

    /// <summary>Every problem at once, each naming its field.</summary>
    public IReadOnlyList<string> Validate(DateTimeOffset now)
    {
        var problems = new List<string>();
        if (RequestsPerMinute is <= 0)
        {
            problems.Add("requests per minute must be a positive number");
        }

        if (TokensPerMinute is <= 0)
        {
            problems.Add("tokens per minute must be a positive number");
        }

        if (MaxConcurrency is <= 0)
        {
            problems.Add("max concurrency must be a positive number");
        }

        if (ExpiresAt is { } expires && expires <= now)
        {
            problems.Add("expiry must be in the future");
        }

        return problems;
    }
}
