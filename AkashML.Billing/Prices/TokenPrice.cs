namespace AkashML.Billing.Prices;

/// <summary>
/// A model's price in USD per million input (prompt) tokens and per million output (completion) tokens, as the model
/// catalog configures it.
/// </summary>
/// <remarks>
/// Rounding rule (the only one): a price of P USD per million tokens is exactly P micro-dollars per token, so a side's
/// cost is <c>tokens × P</c> micro-dollars, rounded up to the next whole micro-dollar; input and output are rounded
/// separately and then added. Non-zero usage at a non-zero price therefore never costs nothing, and the cost of the
/// actual usage never exceeds the reservation made for prompt + max tokens.
/// </remarks>
public readonly record struct TokenPrice
{
    /// <exception cref="ArgumentOutOfRangeException">A price is negative.</exception>
    public TokenPrice(decimal inputPerMillionUsd, decimal outputPerMillionUsd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputPerMillionUsd);
        ArgumentOutOfRangeException.ThrowIfNegative(outputPerMillionUsd);
        InputPerMillionUsd = inputPerMillionUsd;
        OutputPerMillionUsd = outputPerMillionUsd;
    }

    public decimal InputPerMillionUsd { get; }

    public decimal OutputPerMillionUsd { get; }

    public long InputCostMicros(long tokens) => SideCost(tokens, InputPerMillionUsd, nameof(tokens));

    public long OutputCostMicros(long tokens) => SideCost(tokens, OutputPerMillionUsd, nameof(tokens));

    /// <summary>Cost of a request in micro-dollars; see the rounding rule in the remarks.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A token count is negative.</exception>
    public long CostMicros(long inputTokens, long outputTokens) =>
        checked(InputCostMicros(inputTokens) + OutputCostMicros(outputTokens));

    private static long SideCost(long tokens, decimal pricePerMillion, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens, name);
        var micros = decimal.Ceiling(tokens * pricePerMillion);
        return micros <= long.MaxValue ? (long)micros : throw new ArgumentOutOfRangeException(name, tokens, "The cost does not fit.");
    }
}
