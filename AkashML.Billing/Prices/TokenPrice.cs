namespace AkashML.Billing.Prices;

/// <summary>
/// A model's price in USD per million input (prompt) tokens and per million output (completion) tokens, as the model
/// catalog configures it, and per million cached input tokens (prompt tokens reused from the prefix cache).
/// </summary>
/// <remarks>
/// Rounding rule (the only one): a price of P USD per million tokens is exactly P micro-dollars per token, so a side's
/// cost is <c>tokens × P</c> micro-dollars, rounded up to the next whole micro-dollar; input and output are rounded
/// separately and then added. Non-zero usage at a non-zero price therefore never costs nothing, and the cost of the
/// actual usage never exceeds the reservation made for prompt + max tokens. Cached input tokens are a third side, taken out
/// of the input side; a request never costs more with cached tokens than it would without (so the reservation, made at the
/// full input price, still covers it).
/// </remarks>
public readonly record struct TokenPrice
{
    /// <exception cref="ArgumentOutOfRangeException">A price is negative.</exception>
    public TokenPrice(decimal inputPerMillionUsd, decimal outputPerMillionUsd)
        : this(inputPerMillionUsd, outputPerMillionUsd, inputPerMillionUsd)
    {
    }

    /// <exception cref="ArgumentOutOfRangeException">A price is negative, or the cached-input price is above the input price.</exception>
    public TokenPrice(decimal inputPerMillionUsd, decimal outputPerMillionUsd, decimal cachedInputPerMillionUsd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputPerMillionUsd);
        ArgumentOutOfRangeException.ThrowIfNegative(outputPerMillionUsd);
        ArgumentOutOfRangeException.ThrowIfNegative(cachedInputPerMillionUsd);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cachedInputPerMillionUsd, inputPerMillionUsd);
        InputPerMillionUsd = inputPerMillionUsd;
        OutputPerMillionUsd = outputPerMillionUsd;
        CachedInputPerMillionUsd = cachedInputPerMillionUsd;
    }

    public decimal InputPerMillionUsd { get; }

    public decimal OutputPerMillionUsd { get; }

    public decimal CachedInputPerMillionUsd { get; }

    public long InputCostMicros(long tokens) => SideCost(tokens, InputPerMillionUsd, nameof(tokens));

    public long OutputCostMicros(long tokens) => SideCost(tokens, OutputPerMillionUsd, nameof(tokens));

    /// <summary>Cost of a request in micro-dollars; see the rounding rule in the remarks.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A token count is negative.</exception>
    public long CostMicros(long inputTokens, long outputTokens) =>
        checked(InputCostMicros(inputTokens) + OutputCostMicros(outputTokens));

    /// <summary>
    /// Cost of a request of which <paramref name="cachedInputTokens"/> of the <paramref name="inputTokens"/> were cached:
    /// uncached input, cached input and output each rounded up, never more than the same request without the cache.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A token count is negative, or more input tokens are cached than there are.</exception>
    public long CostMicros(long inputTokens, long outputTokens, long cachedInputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cachedInputTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cachedInputTokens, inputTokens);
        var uncached = CostMicros(inputTokens, outputTokens);
        var cached = checked(InputCostMicros(inputTokens - cachedInputTokens) + SideCost(cachedInputTokens, CachedInputPerMillionUsd, nameof(cachedInputTokens))
            + OutputCostMicros(outputTokens));
        return Math.Min(cached, uncached);
    }

    private static long SideCost(long tokens, decimal pricePerMillion, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens, name);
        var micros = decimal.Ceiling(tokens * pricePerMillion);
        return micros <= long.MaxValue ? (long)micros : throw new ArgumentOutOfRangeException(name, tokens, "The cost does not fit.");
    }
}
