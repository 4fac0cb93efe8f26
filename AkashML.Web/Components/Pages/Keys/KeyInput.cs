using System.Globalization;
using AkashML.Web.Keys;

namespace AkashML.Web.Components.Pages.Keys;

/// <summary>
/// The create and edit forms' fields as typed by the person (text, so a bad number is reported, not dropped), and
/// their checks: each problem is keyed by the field it belongs to, so it shows beside that field.
/// </summary>
public sealed class KeyInput
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? RequestsPerMinute { get; set; }

    public string? TokensPerMinute { get; set; }

    public string? MaxConcurrency { get; set; }

    /// <summary>yyyy-MM-dd; the key stops working at 00:00 UTC that day. Empty: never expires.</summary>
    public string? ExpiresOn { get; set; }

    public static KeyInput From(Data.Keys.ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new KeyInput
        {
            Id = key.Id.ToString(),
            Name = key.Name,
            RequestsPerMinute = key.RequestsPerMinute?.ToString(CultureInfo.InvariantCulture),
            TokensPerMinute = key.TokensPerMinute?.ToString(CultureInfo.InvariantCulture),
            MaxConcurrency = key.MaxConcurrency?.ToString(CultureInfo.InvariantCulture),
            ExpiresOn = key.ExpiresAt?.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
    }

    public void CheckName(Dictionary<string, string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems[nameof(Name)] = "Give the key a name, e.g. the app that will use it.";
        }
        else if (Name.Trim().Length > ApiKeyService.MaxNameLength)
        {
            problems[nameof(Name)] = string.Create(CultureInfo.InvariantCulture, $"The name can be at most {ApiKeyService.MaxNameLength} characters.");
        }
    }

    /// <summary>The limits, or null with <paramref name="problems"/> filled when any field is wrong.</summary>
    public ApiKeyLimits? ReadLimits(DateTimeOffset now, Dictionary<string, string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var rpm = Positive(RequestsPerMinute, nameof(RequestsPerMinute), "Requests per minute", problems);
        var tpm = Positive(TokensPerMinute, nameof(TokensPerMinute), "Tokens per minute", problems);
        var concurrency = Positive(MaxConcurrency, nameof(MaxConcurrency), "Concurrent requests", problems);
        DateTimeOffset? expires = null;
        if (!string.IsNullOrWhiteSpace(ExpiresOn))
        {
            if (DateOnly.TryParseExact(ExpiresOn.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                expires = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                if (expires <= now)
                {
                    problems[nameof(ExpiresOn)] = "The expiry date must be in the future (keys stop working at 00:00 UTC on that day).";
                }
            }
            else
            {
                problems[nameof(ExpiresOn)] = "Enter the expiry as a date (YYYY-MM-DD), or leave it empty for a key that never expires.";
            }
        }

        return problems.Count == 0 ? new ApiKeyLimits(rpm, tpm, concurrency, expires) : null;
    }

    private static int? Positive(string? text, string field, string label, Dictionary<string, string> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            problems[field] = $"{label} must be a whole number (or empty for no limit).";
            return null;
        }

        if (value <= 0 || value > int.MaxValue)
        {
            problems[field] = value <= 0
                ? $"{label} must be a positive number (or empty for no limit)."
                : $"{label} is too large.";
            return null;
        }

        return (int)value;
    }
}
