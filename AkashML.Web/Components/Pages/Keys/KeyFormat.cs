using System.Globalization;
using AkashML.Billing.Prices;
using AkashML.Data.Keys;
using AkashML.Web.Shell;
using AkashML.Web.Usage;

namespace AkashML.Web.Components.Pages.Keys;

/// <summary>How the keys grid and dialogs write a key: never its secret, only its prefix and last four characters.</summary>
public static class KeyFormat
{
    /// <summary><c>akml-…abcd</c>.</summary>
    public static string Mask(ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Prefix + "…" + key.LastFour;
    }

    public static string Limits(ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = new List<string>();
        if (key.RequestsPerMinute is { } rpm)
        {
            parts.Add(UsageFormat.Compact(rpm) + " req/min");
        }

        if (key.TokensPerMinute is { } tpm)
        {
            parts.Add(UsageFormat.Compact(tpm) + " tokens/min");
        }

        if (key.MaxConcurrency is { } concurrency)
        {
            parts.Add(concurrency.ToString(CultureInfo.InvariantCulture) + " concurrent");
        }

        if (key.AllowedModels is { Count: > 0 } models)
        {
            parts.Add("only " + string.Join(", ", models));
        }

        return parts.Count == 0 ? "No limits" : string.Join(" · ", parts);
    }

    /// <summary>"$1.25 of $5.00 this month", "$0.40 of $1.00 in total", or "No budget".</summary>
    public static string Budget(ApiKey key, long spentMicros)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.BudgetMicros is not { } budget ? "No budget"
            : $"${Money.FormatUsd(spentMicros)} of ${Money.FormatUsd(budget)}" + key.BudgetPeriod switch
            {
                ApiKeyBudgetPeriod.Daily => " today",
                ApiKeyBudgetPeriod.Weekly => " this week",
                ApiKeyBudgetPeriod.Monthly => " this month",
                _ => " in total",
            };
    }

    /// <summary>"Never", "Just now", "5 min ago", "3 h ago", "2 days ago", then the date.</summary>
    public static string Ago(DateTimeOffset? instant, DateTimeOffset now)
    {
        if (instant is not { } at)
        {
            return "Never";
        }

        var age = now - at;
        return age < TimeSpan.FromMinutes(1) ? "Just now"
            : age < TimeSpan.FromHours(1) ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes} min ago")
            : age < TimeSpan.FromDays(1) ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours} h ago")
            : age < TimeSpan.FromDays(30) ? ((int)age.TotalDays == 1 ? "Yesterday" : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays} days ago"))
            : DisplayFormat.Date(at);
    }

    /// <summary>The grace choices of a roll, in hours; 0 (no grace) first and the default.</summary>
    public static readonly IReadOnlyList<int> GraceHours = [0, 1, 4, 12, 24];

    public static string GraceLabel(int hours) => hours switch
    {
        0 => "No grace: the old secret stops working now",
        1 => "1 hour",
        _ => hours.ToString(CultureInfo.InvariantCulture) + " hours",
    };
}
