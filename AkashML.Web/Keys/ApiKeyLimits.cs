using AkashML.Data.Keys;

namespace AkashML.Web.Keys;

/// <summary>
/// Optional limits of a key; null means unlimited. <see cref="BudgetMicros"/> caps what the key may spend per
/// <see cref="BudgetPeriod"/> (enforced in the credit hold, not from this cached copy); <see cref="AllowedModels"/>
/// lists the only model ids it may call.
/// </summary>
public sealed record ApiKeyLimits(
    int? RequestsPerMinute,
    int? TokensPerMinute,
    int? MaxConcurrency,
    DateTimeOffset? ExpiresAt,
    long? BudgetMicros = null,
    ApiKeyBudgetPeriod BudgetPeriod = ApiKeyBudgetPeriod.None,
    IReadOnlyList<string>? AllowedModels = null)
{
    public static readonly ApiKeyLimits None = new(null, null, null, null);

    /// <summary>The limits a stored key carries.</summary>
    public static ApiKeyLimits Of(ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new ApiKeyLimits(key.RequestsPerMinute, key.TokensPerMinute, key.MaxConcurrency, key.ExpiresAt,
            key.BudgetMicros, key.BudgetPeriod, key.AllowedModels is { } models ? [.. models] : null);
    }

    /// <summary>Whether the key may call <paramref name="modelId"/> (a catalog id).</summary>
    public bool Allows(string modelId) => AllowedModels is null || AllowedModels.Contains(modelId, StringComparer.Ordinal);

    /// <summary>Every problem at once, each naming its field. Model ids are checked against the catalog by the caller.</summary>
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

        if (BudgetMicros is < 0)
        {
            problems.Add("budget must be zero or more USD");
        }

        if (!Enum.IsDefined(BudgetPeriod))
        {
            problems.Add($"budget period must be one of {ApiKeyBudget.PeriodNames}");
        }
        else if (BudgetMicros is null && BudgetPeriod != ApiKeyBudgetPeriod.None)
        {
            problems.Add("a budget period needs a budget amount");
        }

        if (AllowedModels is { Count: 0 })
        {
            problems.Add("allowed models must name at least one model (or be left empty to allow every model)");
        }

        return problems;
    }
}
