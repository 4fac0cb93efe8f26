using System.Globalization;
using AkashML.Billing.Prices;

namespace AkashML.Web.Shell;

/// <summary>Money and time as the dashboard shows them: <c>$12.50</c>, <c>−$0.000123</c>, <c>2026-11-22 09:00 UTC</c>.</summary>
public static class DisplayFormat
{
    /// <summary>Exact micro-dollars: at least two decimals, as many as needed.</summary>
    public static string Usd(long micros) =>
        micros < 0 ? "−$" + Money.FormatUsd(-micros) : "$" + Money.FormatUsd(micros);

    /// <summary>With an explicit sign, for ledger amounts: <c>+$5.00</c>, <c>−$0.02</c>.</summary>
    public static string UsdSigned(long micros) => micros > 0 ? "+" + Usd(micros) : Usd(micros);

    /// <summary>Rounded down to whole cents with thousands separators, for headline figures (<c>$1,234.56</c>).</summary>
    public static string UsdHeadline(long micros) =>
        (micros < 0 ? "−$" : "$")
        + Math.Round(Math.Abs(micros) / (decimal)Money.MicrosPerUsd, 2, MidpointRounding.ToZero).ToString("#,0.00", CultureInfo.InvariantCulture);

    /// <summary>Stripe's minor units.</summary>
    public static string Cents(long cents) =>
        "$" + (cents / 100m).ToString("#,0.00", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
