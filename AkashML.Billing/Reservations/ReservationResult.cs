using System.Diagnostics.CodeAnalysis;
using AkashML.Data.Keys;

namespace AkashML.Billing.Reservations;

/// <summary>The answer to a reservation: the hold, or why there is none (the API answers 402 then).</summary>
/// <param name="Reservation">The hold when <see cref="IsReserved"/>.</param>
/// <param name="Budget">When the key's budget, not the balance, refused it: the budget and what it has left.</param>
/// <param name="AvailableMicros">The usable balance at the time of the request.</param>
/// <param name="RequiredMicros">What the request asked to hold.</param>
public sealed record ReservationResult(CreditHold? Reservation, long AvailableMicros, long RequiredMicros, KeyBudgetShortfall? Budget = null)
{
    [MemberNotNullWhen(true, nameof(Reservation))]
    public bool IsReserved => Reservation is not null;

    public static ReservationResult Insufficient(long availableMicros, long requiredMicros) => new(null, availableMicros, requiredMicros);

    public static ReservationResult OverBudget(KeyBudgetShortfall budget, long availableMicros, long requiredMicros) =>
        new(null, availableMicros, requiredMicros, budget);
}

/// <summary>A key's budget that cannot cover a request: its limit, period and what the period has spent (holds included).</summary>
public sealed record KeyBudgetShortfall(long BudgetMicros, ApiKeyBudgetPeriod Period, long SpentMicros)
{
    public long LeftMicros => Math.Max(0, BudgetMicros - SpentMicros);
}

/// <summary>Credits held for one request.</summary>
public sealed record CreditHold(Guid Id, string UserId, string InferenceId, long HeldMicros)
{
    /// <summary>
    /// What the hold took from which pools, when the code that made it knows (<see cref="DirectReservations"/>), so
    /// settlement can write without reading them back first.
    /// </summary>
    internal HoldDraws? Draws { get; init; }
}

/// <summary>
/// A hold's draws in spending order, and the key budget day it counts on; made only for an account whose auto top-up
/// could not start when it was read, since settling from these skips the account read that decides one.
/// </summary>
internal sealed record HoldDraws(IReadOnlyList<(CreditPool Pool, long Held)> Pools, Guid? BudgetKeyId, int? BudgetDay);

/// <summary>What settlement charged.</summary>
/// <param name="ChargedMicros">Taken from the pools.</param>
/// <param name="UncoveredMicros">Cost no pool could cover (only when usage exceeded the hold and the balance ran out).</param>
/// <param name="ReleasedMicros">Returned from the hold to the pools.</param>
/// <param name="AlreadyClosed">The reservation had been settled before; nothing changed.</param>
public sealed record SettlementResult(long ChargedMicros, long UncoveredMicros, long ReleasedMicros, bool AlreadyClosed);
