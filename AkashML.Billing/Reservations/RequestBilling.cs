using AkashML.Billing.Prices;
using AkashML.Data.Keys;

namespace AkashML.Billing.Reservations;

/// <summary>
/// What the API layer calls around one request: reserve for prompt + max new tokens at the model's price before
/// generating (402 when <see cref="ReservationResult.IsReserved"/> is false), settle the actual tokens afterwards, or
/// release on error and cancellation. Prices are the catalog's USD per million tokens.
/// </summary>
public sealed class RequestBilling(CreditReservations reservations)
{
    public Task<RequestReservationResult> ReserveAsync(string userId, string inferenceId, int promptTokens, int maxNewTokens,
        decimal inputPricePerMillion, decimal outputPricePerMillion, CancellationToken cancellationToken) =>
        ReserveAsync(userId, keyId: null, inferenceId, promptTokens, maxNewTokens, inputPricePerMillion, outputPricePerMillion, cancellationToken);

    /// <summary>As the other overload, within the budget of key <paramref name="keyId"/> as well (when it has one).</summary>
    public Task<RequestReservationResult> ReserveAsync(string userId, Guid? keyId, string inferenceId, int promptTokens, int maxNewTokens,
        decimal inputPricePerMillion, decimal outputPricePerMillion, CancellationToken cancellationToken) =>
        ReserveAsync(userId, keyId, inferenceId, promptTokens, maxNewTokens, new TokenPrice(inputPricePerMillion, outputPricePerMillion), cancellationToken);

    /// <summary>As the other overloads, at <paramref name="price"/> (which can carry a cached-input price); the hold assumes nothing is cached.</summary>
    public async Task<RequestReservationResult> ReserveAsync(string userId, Guid? keyId, string inferenceId, int promptTokens, int maxNewTokens,
        TokenPrice price, CancellationToken cancellationToken)
    {
        var maxCost = price.CostMicros(promptTokens, maxNewTokens);
        var result = await reservations.ReserveAsync(userId, keyId, inferenceId, maxCost, cancellationToken);
        return new RequestReservationResult(
            result.Reservation is { } hold ? new RequestReservation(hold, price) : null,
            result.AvailableMicros,
            result.RequiredMicros,
            result.Budget);
    }

    /// <summary>Charges <paramref name="promptTokens"/> and <paramref name="completionTokens"/> at the reserved price.</summary>
    public Task<SettlementResult> SettleAsync(RequestReservation reservation, int promptTokens, int completionTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        return reservations.SettleAsync(reservation.Hold, reservation.Price.CostMicros(promptTokens, completionTokens), cancellationToken);
    }

    /// <summary>
    /// Charges <paramref name="promptTokens"/>, of which <paramref name="cachedPromptTokens"/> came from the prefix cache
    /// (at the cached-input price), and <paramref name="completionTokens"/>, at the reserved price.
    /// </summary>
    public Task<SettlementResult> SettleAsync(RequestReservation reservation, int promptTokens, int cachedPromptTokens, int completionTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        return reservations.SettleAsync(reservation.Hold, reservation.Price.CostMicros(promptTokens, completionTokens, cachedPromptTokens), cancellationToken);
    }

    public Task<SettlementResult> ReleaseAsync(RequestReservation reservation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        return reservations.ReleaseAsync(reservation.Hold, cancellationToken);
    }
}

/// <summary>A hold made for one API request and the price it was made at.</summary>
public sealed record RequestReservation(CreditHold Hold, TokenPrice Price);

/// <summary>The hold, or (when <see cref="Reservation"/> is null) the shortfall to report with 402.</summary>
/// <param name="Budget">Set when the key's budget, not the balance, is what cannot cover the request.</param>
public sealed record RequestReservationResult(RequestReservation? Reservation, long AvailableMicros, long RequiredMicros, KeyBudgetShortfall? Budget = null)
{
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Reservation))]
    public bool IsReserved => Reservation is not null;

    /// <summary>A message for the 402 response.</summary>
    public string InsufficientMessage =>
        $"Insufficient credits: this request needs up to ${Money.FormatUsd(RequiredMicros)} but the usable balance is ${Money.FormatUsd(AvailableMicros)}.";

    /// <summary>A message for the 402 response when the budget of the key named <paramref name="keyName"/> refused it.</summary>
    public string OverBudgetMessage(string keyName) => Budget is not { } budget ? InsufficientMessage
        : $"Key budget exceeded: the key '{keyName}' has a budget of ${Money.FormatUsd(budget.BudgetMicros)}{PeriodText(budget.Period)} "
            + $"and ${Money.FormatUsd(budget.LeftMicros)} of it is left, but this request needs up to ${Money.FormatUsd(RequiredMicros)}.";

    private static string PeriodText(ApiKeyBudgetPeriod period) => period switch
    {
        ApiKeyBudgetPeriod.Daily => " per day (resets at 00:00 UTC)",
        ApiKeyBudgetPeriod.Weekly => " per week (resets on Monday 00:00 UTC)",
        ApiKeyBudgetPeriod.Monthly => " per month (resets on the 1st, 00:00 UTC)",
        _ => " in total",
    };
}
