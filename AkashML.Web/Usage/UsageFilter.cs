using System.Globalization;
using AkashML.Data.Usage;

namespace AkashML.Web.Usage;

/// <summary>
/// What the usage page and the CSV export show: whole UTC days <see cref="From"/> to <see cref="To"/> (inclusive), a
/// chart granularity, and optionally one key, one model and one outcome (<c>ok</c>, <c>error</c>, <c>cancelled</c>).
/// Built from the query string; bad values fall back to the defaults and are reported in <see cref="Problems"/>.
/// </summary>
public sealed record UsageFilter(DateOnly From, DateOnly To, UsageGranularity Granularity, Guid? KeyId, string? Model, string? Status = null)
{
    /// <summary>The outcomes a request can have, as stored in <c>UsageRecord.Status</c>.</summary>
    public static readonly IReadOnlyList<string> Statuses = ["ok", "error", "cancelled"];

    public const int DefaultDays = 30;
    public const int MaxDays = 366;
    public const int MaxHourlyDays = 31;

    public IReadOnlyList<string> Problems { get; init; } = [];

    public DateTimeOffset Start => new(From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Exclusive end: the start of the day after <see cref="To"/>.</summary>
    public DateTimeOffset End => new(To.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public static UsageFilter Default(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return new UsageFilter(today.AddDays(-(DefaultDays - 1)), today, UsageGranularity.Day, null, null);
    }

    /// <summary>Reads <c>from</c>, <c>to</c> (yyyy-MM-dd), <c>granularity</c> (hour|day), <c>key</c> (id), <c>model</c> and <c>status</c>.</summary>
    public static UsageFilter Parse(string? from, string? to, string? granularity, string? key, string? model, DateTimeOffset now, string? status = null)
    {
        var fallback = Default(now);
        var problems = new List<string>();
        var start = ParseDate(from, "from", fallback.From, problems);
        var end = ParseDate(to, "to", fallback.To, problems);
        if (end < start)
        {
            problems.Add("The end date is before the start date; showing the last 30 days.");
            (start, end) = (fallback.From, fallback.To);
        }
        else if (end.DayNumber - start.DayNumber + 1 > MaxDays)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"A range may span at most {MaxDays} days; showing the {MaxDays} days up to the end date."));
            start = end.AddDays(-(MaxDays - 1));
        }

        var grain = granularity?.ToUpperInvariant() switch
        {
            null or "" or "DAY" => UsageGranularity.Day,
            "HOUR" => UsageGranularity.Hour,
            _ => Problem(problems, $"Unknown granularity '{granularity}'; use hour or day.", UsageGranularity.Day),
        };
        if (grain == UsageGranularity.Hour && end.DayNumber - start.DayNumber + 1 > MaxHourlyDays)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Hourly charts cover at most {MaxHourlyDays} days; showing daily buckets."));
            grain = UsageGranularity.Day;
        }

        Guid? keyId = null;
        if (!string.IsNullOrEmpty(key))
        {
            keyId = Guid.TryParse(key, out var parsed) ? parsed : Problem<Guid?>(problems, "The key filter is not a key id; showing all keys.", null);
        }

        string? outcome = null;
        if (!string.IsNullOrEmpty(status))
        {
            outcome = Statuses.Contains(status.ToLowerInvariant())
                ? status.ToLowerInvariant()
                : Problem<string?>(problems, $"Unknown status '{status}'; use ok, error or cancelled.", null);
        }

        return new UsageFilter(start, end, grain, keyId, string.IsNullOrWhiteSpace(model) ? null : model.Trim(), outcome) { Problems = problems };
    }

    /// <summary>The query string that reproduces this filter (plus <paramref name="extra"/>), for links and the export.</summary>
    public string ToQuery(params (string Name, string? Value)[] extra)
    {
        var parts = new List<(string, string?)>
        {
            ("from", From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("to", To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("granularity", Granularity == UsageGranularity.Hour ? "hour" : "day"),
            ("key", KeyId?.ToString()),
            ("model", Model),
            ("status", Status),
        };
        parts.AddRange(extra);
        return string.Join('&', parts.Where(p => !string.IsNullOrEmpty(p.Item2)).Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2!)));
    }

    private static DateOnly ParseDate(string? text, string name, DateOnly fallback, List<string> problems)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        problems.Add($"'{text}' is not a date ({name}); use YYYY-MM-DD.");
        return fallback;
    }

    private static T Problem<T>(List<string> problems, string message, T value)
    {
        problems.Add(message);
        return value;
    }
}
