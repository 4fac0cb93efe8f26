using System.Globalization;
using AkashML.Billing.Prices;
using AkashML.Data.Keys;
using AkashML.Inference.Serving;
using AkashML.Web.Keys;

namespace AkashML.Web.Components.Pages.Keys;

/// <summary>
/// The create and edit dialogs' fields as typed by the person (text, so a bad number is reported, not dropped), and
/// their checks. Each check belongs to one field so the form shows its message beside that field.
/// </summary>
public sealed class KeyInput
{
    public const string RequestsPerMinuteLabel = "Requests per minute";
    public const string TokensPerMinuteLabel = "Tokens per minute";
    public const string MaxConcurrencyLabel = "Concurrent requests";

    public string? Name { get; set; }

    public string? RequestsPerMinute { get; set; }

    public string? TokensPerMinute { get; set; }

    public string? MaxConcurrency { get; set; }

    /// <summary>yyyy-MM-dd; the key stops working at 00:00 UTC that day. Empty: never expires.</summary>
    public string? ExpiresOn { get; set; }

    /// <summary>USD the key may spend per <see cref="BudgetPeriod"/>; empty: no budget.</summary>
    public string? BudgetUsd { get; set; }

    public ApiKeyBudgetPeriod BudgetPeriod { get; set; } = ApiKeyBudgetPeriod.Monthly;

    /// <summary>Model ids separated by commas; empty: every model.</summary>
    public string? AllowedModels { get; set; }

    public static KeyInput From(Data.Keys.ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new KeyInput
        {
            Name = key.Name,
            RequestsPerMinute = key.RequestsPerMinute?.ToString(CultureInfo.InvariantCulture),
            TokensPerMinute = key.TokensPerMinute?.ToString(CultureInfo.InvariantCulture),
            MaxConcurrency = key.MaxConcurrency?.ToString(CultureInfo.InvariantCulture),
            ExpiresOn = key.ExpiresAt?.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            BudgetUsd = key.BudgetMicros is { } budget ? Money.FormatUsd(budget) : null,
            BudgetPeriod = key.BudgetMicros is null ? ApiKeyBudgetPeriod.Monthly : key.BudgetPeriod,
            AllowedModels = key.AllowedModels is { Count: > 0 } models ? string.Join(", ", models) : null,
        };
    }

    /// <summary>Why the name cannot be saved, or null.</summary>
    public static string? NameProblem(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "Give the key a name, e.g. the app that will use it."
        : name.Trim().Length > ApiKeyService.MaxNameLength ? string.Create(CultureInfo.InvariantCulture, $"The name can be at most {ApiKeyService.MaxNameLength} characters.")
        : null;

    /// <summary>Why an optional limit (a positive whole number, empty for none) cannot be saved, or null.</summary>
    public static string? LimitProblem(string? text, string label)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return $"{label} must be a whole number (or empty for no limit).";
        }

        return value <= 0 ? $"{label} must be a positive number (or empty for no limit)."
            : value > int.MaxValue ? $"{label} is too large."
            : null;
    }

    /// <summary>Why the expiry date cannot be saved, or null (empty: never expires).</summary>
    public static string? ExpiryProblem(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return ParseExpiry(text) is not { } expires
            ? "Enter the expiry as a date (YYYY-MM-DD), or leave it empty for a key that never expires."
            : expires <= now ? "The expiry date must be in the future (keys stop working at 00:00 UTC on that day)."
            : null;
    }

    /// <summary>Why the budget (USD, empty for none) cannot be saved, or null.</summary>
    public static string? BudgetProblem(string? text) =>
        ApiKeyBudget.ParseUsd(text, "The budget").Problem is { } problem ? problem + " (or empty for no budget)." : null;

    /// <summary>Why the allowed models cannot be saved (an id the catalog does not have), or null; empty allows every model.</summary>
    public static string? ModelsProblem(string? text, IModelProvider models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var unknown = ApiKeyBudget.ParseModels(text)?.Where(id => models.Find(id) is null).ToList();
        return unknown is { Count: > 0 }
            ? $"No model has the id {string.Join(", ", unknown.Select(id => $"'{id}'"))}. Available: {string.Join(", ", models.List().Select(m => m.Id))}."
            : null;
    }

    /// <summary>Every problem of the form, keyed by the field it belongs to; empty when it can be saved.</summary>
    public Dictionary<string, string> Problems(DateTimeOffset now, IModelProvider models)
    {
        var problems = Problems(now);
        Add(problems, nameof(AllowedModels), ModelsProblem(AllowedModels, models));
        return problems;
    }

    /// <summary>Every problem of the form's own fields (model ids unchecked), keyed by the field it belongs to.</summary>
    public Dictionary<string, string> Problems(DateTimeOffset now)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(problems, nameof(Name), NameProblem(Name));
        Add(problems, nameof(RequestsPerMinute), LimitProblem(RequestsPerMinute, RequestsPerMinuteLabel));
        Add(problems, nameof(TokensPerMinute), LimitProblem(TokensPerMinute, TokensPerMinuteLabel));
        Add(problems, nameof(MaxConcurrency), LimitProblem(MaxConcurrency, MaxConcurrencyLabel));
        Add(problems, nameof(ExpiresOn), ExpiryProblem(ExpiresOn, now));
        Add(problems, nameof(BudgetUsd), BudgetProblem(BudgetUsd));
        return problems;
    }

    /// <summary>The limits; call only when <see cref="Problems"/> found none.</summary>
    public ApiKeyLimits ToLimits()
    {
        var budget = ApiKeyBudget.ParseUsd(BudgetUsd, "The budget").Micros;
        return new(Number(RequestsPerMinute), Number(TokensPerMinute), Number(MaxConcurrency), ParseExpiry(ExpiresOn),
            budget, budget is null ? ApiKeyBudgetPeriod.None : BudgetPeriod, ApiKeyBudget.ParseModels(AllowedModels));
    }

    private static DateTimeOffset? ParseExpiry(string? text) =>
        !string.IsNullOrWhiteSpace(text) && DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : null;

    private static int? Number(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : int.Parse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static void Add(Dictionary<string, string> problems, string field, string? problem)
    {
        if (problem is not null)
        {
            problems[field] = problem;
        }
    }
}
