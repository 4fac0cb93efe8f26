using System.Globalization;

namespace AkashML.Web.Usage;

/// <summary>How the dashboard writes numbers, money and instants (invariant culture, UTC).</summary>
public static class UsageFormat
{
    /// <summary>Exact dollars from micro-dollars: <c>0.000123</c>.</summary>
    public static string UsdExact(long micros) => (micros / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);

    /// <summary>Dollars for display: cents for large amounts, more digits for tiny ones (<c>$0.0042</c>).</summary>
    public static string Usd(long micros)
    {
        var usd = micros / 1_000_000m;
        return usd switch
        {
            0 => "$0.00",
            >= 1 or <= -1 => usd.ToString("$#,##0.00", CultureInfo.InvariantCulture),
            >= 0.01m => usd.ToString("$0.00##", CultureInfo.InvariantCulture),
            _ => usd.ToString("$0.######", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Compact counts: 950, 12.3k, 4.5M.</summary>
    public static string Compact(double value) => Math.Abs(value) switch
    {
        >= 1_000_000_000 => (value / 1_000_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "B",
        >= 1_000_000 => (value / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 10_000 => (value / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("#,##0.##", CultureInfo.InvariantCulture),
    };

    public static string Count(long value) => value.ToString("#,##0", CultureInfo.InvariantCulture);

    /// <summary>"1 request", "2 requests".</summary>
    public static string Requests(long value) => Count(value) + (value == 1 ? " request" : " requests");

    public static string Instant(DateTimeOffset? instant) =>
        instant is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "—";

    public static string InstantSeconds(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Ms(int? ms) => ms is { } v ? v.ToString("#,##0", CultureInfo.InvariantCulture) + " ms" : "—";

    /// <summary>What a request's model shows as; requests that named no model we know are stored without one.</summary>
    public const string UnknownModel = "(unknown model)";

    public static string ModelLabel(string? model) => string.IsNullOrEmpty(model) ? UnknownModel : model;
}
