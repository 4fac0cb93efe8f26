using System.Globalization;

namespace AkashML.Billing.Prices;

/// <summary>
/// Money is held in micro-dollars (<c>long</c>, 1 USD = 1,000,000) so every ledger sum is exact; these are the only
/// conversions to and from USD amounts and Stripe's minor units (cents).
/// </summary>
public static class Money
{
    public const long MicrosPerUsd = 1_000_000;

    public const long MicrosPerCent = 10_000;

    /// <summary>Exact: USD amounts finer than a micro-dollar are rejected rather than silently rounded.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The amount has more than six decimals or does not fit.</exception>
    public static long UsdToMicros(decimal usd)
    {
        var micros = Scale(usd, MicrosPerUsd);
        if (micros != decimal.Truncate(micros))
        {
            throw new ArgumentOutOfRangeException(nameof(usd), usd, "USD amounts have at most six decimals (one micro-dollar).");
        }

        return micros is >= long.MinValue and <= long.MaxValue
            ? (long)micros
            : throw new ArgumentOutOfRangeException(nameof(usd), usd, "The amount is too large.");
    }

    public static decimal MicrosToUsd(long micros) => micros / (decimal)MicrosPerUsd;

    /// <summary>Exact: USD amounts that are not whole cents are rejected (what Stripe charges is in cents).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The amount is not a whole number of cents or does not fit.</exception>
    public static long UsdToCents(decimal usd)
    {
        var cents = Scale(usd, 100);
        if (cents != decimal.Truncate(cents))
        {
            throw new ArgumentOutOfRangeException(nameof(usd), usd, "Amounts are charged in whole cents.");
        }

        return cents is >= long.MinValue and <= long.MaxValue
            ? (long)cents
            : throw new ArgumentOutOfRangeException(nameof(usd), usd, "The amount is too large.");
    }

    /// <summary>What <paramref name="cents"/> paid through Stripe buys, exactly.</summary>
    public static long CentsToMicros(long cents) => checked(cents * MicrosPerCent);

    /// <summary>
    /// Micro-dollars to Stripe cents. The caller names the rounding: <see cref="MidpointRounding.ToPositiveInfinity"/>
    /// when asking the customer for at least the amount, <see cref="MidpointRounding.ToZero"/> when giving money back.
    /// </summary>
    public static long MicrosToCents(long micros, MidpointRounding rounding) =>
        (long)Math.Round(micros / (decimal)MicrosPerCent, 0, rounding);

    private static decimal Scale(decimal usd, long factor)
    {
        try
        {
            return usd * factor;
        }
        catch (OverflowException ex)
        {
            throw new ArgumentOutOfRangeException(nameof(usd), usd, "The amount is too large: " + ex.Message);
        }
    }

    /// <summary>Plain invariant USD, at least two decimals and as many as needed (<c>12.50</c>, <c>0.000123</c>).</summary>
    public static string FormatUsd(long micros) =>
        MicrosToUsd(micros).ToString("0.00####", CultureInfo.InvariantCulture);
}
