using AkashML.Billing.Prices;

namespace AkashML.Billing.Reservations;

/// <summary>
/// What the API layer calls around one request: reserve for prompt + max new tokens at the model's price before
/// generating (402 when <see cref="ReservationResult.IsReserved"/> is false), settle the actual tokens afterwards, or
/// release on error and cancellation. Prices are the catalog's USD per million tokens.
/// </summary>
public sealed class RequestBilling(CreditReservations reservations)
{
    public async Task<RequestReservationResult> ReserveAsync(string userId, string inferenceId, int promptTokens, int maxNewTokens,
        decimal inputPricePerMillion, decimal outputPricePerMillion, CancellationToken cancellationToken)
    {
        var price = new TokenPrice(inputPricePerMillion, outputPricePerMillion);
        var maxCost = price.CostMicros(promptTokens, maxNewTokens);
        var result = await reservations.ReserveAsync(userId, inferenceId, maxCost, cancellationToken);
        return new RequestReservationResult(
            result.Reservation is { } hold ? new RequestReservation(hold, price) : null,
            result.AvailableMicros,
            result.RequiredMicros);
    }

    /// <summary>Charges <paramref name="promptTokens"/> and <paramref name="completionTokens"/> at the reserved price.</summary>
    public Task<SettlementResult> SettleAsync(RequestReservation reservation, int promptTokens, int completionTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        return reservations.SettleAsync(reservation.Hold, reservation.Price.CostMicros(promptTokens, completionTokens), cancellationToken);
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
public sealed record RequestReservationResult(RequestReservation? Reservation, long AvailableMicros, long RequiredMicros)
{
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Reservation))]
    public bool IsReserved => Reservation is not null;

    /// <summary>A message for the 402 response.</summary>
    public string InsufficientMessage =>
        $"Insufficient credits: this request needs up to ${Money.FormatUsd(RequiredMicros)} but the usable balance is ${Money.FormatUsd(AvailableMicros)}.";
}
