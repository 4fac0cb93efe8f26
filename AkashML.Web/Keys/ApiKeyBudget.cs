using System.Globalization;
using AkashML.Billing.Prices;
using AkashML.Data.Keys;

namespace AkashML.Web.Keys;

/// <summary>
/// How people write a key's budget and allow-list (dashboard fields, CLI options): USD amounts exact to the
/// micro-dollar, period names, comma-separated model ids. Each parser answers the value or a message naming the problem.
/// </summary>
public static class ApiKeyBudget
{
    public const string PeriodNames = "none, daily, weekly or monthly";

    /// <summary>Null for an empty amount (no budget); otherwise micro-dollars, or a problem.</summary>
    public static (long? Micros, string? Problem) ParseUsd(string? text, string label)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        var trimmed = text.Trim().TrimStart('$');
        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var usd))
        {
            return (null, $"{label} must be an amount in USD such as 5 or 2.50, got '{text.Trim()}'");
        }

        if (usd < 0)
        {
            return (null, $"{label} must be zero or more USD, got {text.Trim()}");
        }

        try
        {
            return (Money.UsdToMicros(usd), null);
        }
        catch (ArgumentOutOfRangeException)
        {
            return (null, $"{label} must have at most six decimals and be less than a trillion USD, got {text.Trim()}");
        }
    }

    /// <summary>A period by name (case-insensitive; empty is none), or null when unknown.</summary>
    public static ApiKeyBudgetPeriod? ParsePeriod(string? text) =>
        string.IsNullOrWhiteSpace(text) ? ApiKeyBudgetPeriod.None
        : Enum.TryParse<ApiKeyBudgetPeriod>(text.Trim(), ignoreCase: true, out var period) && Enum.IsDefined(period) && !int.TryParse(text, CultureInfo.InvariantCulture, out _)
            ? period
            : null;

    /// <summary>Model ids separated by commas, spaces or new lines; null when there are none (every model allowed).</summary>
    public static IReadOnlyList<string>? ParseModels(string? text)
    {
        var ids = (text ?? "").Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return ids.Length == 0 ? null : [.. ids.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The lower-case name people type (<c>monthly</c>).</summary>
    public static string PeriodName(ApiKeyBudgetPeriod period) => period.ToString().ToLowerInvariant();

    /// <summary>"$5.00 per month", "$5.00 in total"; "no budget" when there is none.</summary>
    public static string Describe(long? budgetMicros, ApiKeyBudgetPeriod period) => budgetMicros is not { } micros ? "no budget"
        : "$" + Money.FormatUsd(micros) + period switch
        {
            ApiKeyBudgetPeriod.Daily => " per day",
            ApiKeyBudgetPeriod.Weekly => " per week",
            ApiKeyBudgetPeriod.Monthly => " per month",
            _ => " in total",
        };
}
