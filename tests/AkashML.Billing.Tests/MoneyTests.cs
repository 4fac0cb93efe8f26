using AkashML.Billing.Prices;

namespace AkashML.Billing.Tests;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("1", 1_000_000)]
    [InlineData("0.000001", 1)]
    [InlineData("12.345678", 12_345_678)]
    [InlineData("-2.5", -2_500_000)]
    public void Usd_converts_to_micros_exactly(string usd, long micros)
    {
        Assert.Equal(micros, Money.UsdToMicros(decimal.Parse(usd, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(decimal.Parse(usd, System.Globalization.CultureInfo.InvariantCulture), Money.MicrosToUsd(micros));
    }

    [Fact]
    public void Sub_micro_amounts_are_refused_not_rounded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.UsdToMicros(0.0000001m));
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.UsdToCents(10.001m));
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.UsdToMicros(decimal.MaxValue));
    }

    [Fact]
    public void Cents_and_micros_convert_with_the_named_rounding()
    {
        Assert.Equal(2_500, Money.UsdToCents(25m));
        Assert.Equal(25_000_000, Money.CentsToMicros(2_500));
        Assert.Equal(2, Money.MicrosToCents(15_000, MidpointRounding.ToPositiveInfinity));
        Assert.Equal(1, Money.MicrosToCents(15_000, MidpointRounding.ToZero));
        Assert.Equal(2, Money.MicrosToCents(15_000, MidpointRounding.ToEven));
        Assert.Equal(2, Money.MicrosToCents(10_001, MidpointRounding.ToPositiveInfinity));
        Assert.Equal(1, Money.MicrosToCents(10_001, MidpointRounding.ToZero));
    }

    [Fact]
    public void Format_shows_cents_and_keeps_micros()
    {
        Assert.Equal("12.50", Money.FormatUsd(12_500_000));
        Assert.Equal("0.000123", Money.FormatUsd(123));
        Assert.Equal("0.00", Money.FormatUsd(0));
    }

    [Fact]
    public void Token_cost_rounds_each_side_up_to_a_whole_micro_dollar()
    {
        // 0.10 USD per million = 0.1 micro-dollar per token.
        var price = new TokenPrice(0.10m, 0.20m);
        Assert.Equal(1, price.InputCostMicros(1));
        Assert.Equal(1, price.InputCostMicros(10));
        Assert.Equal(2, price.InputCostMicros(11));
        Assert.Equal(0, price.InputCostMicros(0));
        Assert.Equal(3, price.OutputCostMicros(11));
        Assert.Equal(2 + 3, price.CostMicros(11, 11));
        Assert.Equal(100_000 + 200_000, price.CostMicros(1_000_000, 1_000_000));
    }

    [Fact]
    public void Actual_cost_never_exceeds_the_reserved_cost()
    {
        var price = new TokenPrice(0.37m, 1.13m);
        var reserved = price.CostMicros(123, 500);
        for (var completion = 0; completion <= 500; completion += 7)
        {
            Assert.True(price.CostMicros(123, completion) <= reserved);
        }
    }

    [Fact]
    public void Negative_prices_and_token_counts_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenPrice(-0.01m, 1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenPrice(1m, 1m).CostMicros(-1, 0));
    }

    [Fact]
    public void Cached_input_is_a_side_of_its_own_and_never_costs_more_than_uncached()
    {
        var price = new TokenPrice(0.10m, 0.20m, 0.01m);
        // 96 of 110 prompt tokens cached: 14 × 0.10 = 1.4 → 2, 96 × 0.01 = 0.96 → 1, 7 × 0.20 = 1.4 → 2.
        Assert.Equal(2 + 1 + 2, price.CostMicros(110, 7, 96));
        Assert.Equal(price.CostMicros(110, 7), price.CostMicros(110, 7, 0));

        // Splitting the prompt rounds up twice; the request is then charged what it would cost without the cache.
        var tight = new TokenPrice(0.10m, 0m, 0.10m);
        Assert.Equal(1, tight.CostMicros(10, 0));
        Assert.Equal(1, tight.CostMicros(10, 0, 5));
        var reserved = price.CostMicros(300, 50);
        for (var cached = 0; cached <= 300; cached += 16)
        {
            Assert.True(price.CostMicros(300, 50, cached) <= reserved);
        }

        // A price without a cached rate charges cached input as input.
        Assert.Equal(0.10m, new TokenPrice(0.10m, 0.20m).CachedInputPerMillionUsd);
    }

    [Fact]
    public void A_cached_price_above_the_input_price_or_more_cached_tokens_than_prompt_tokens_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenPrice(0.10m, 0.20m, 0.11m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenPrice(0.10m, 0.20m, -0.01m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenPrice(0.10m, 0.20m, 0.01m).CostMicros(10, 0, 11));
    }
}
