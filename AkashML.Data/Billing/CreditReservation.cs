namespace AkashML.Data.Billing;

/// <summary>
/// Credits held for one API request between admission and settlement. Which pools hold how much is recorded by its
/// <see cref="LedgerEntryKind.Reservation"/> ledger entries.
/// </summary>
public sealed class CreditReservation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string UserId { get; set; }

    public required string InferenceId { get; set; }

    public long HeldMicros { get; set; }

    /// <summary>What settlement actually took from the pools.</summary>
    public long ChargedMicros { get; set; }

    /// <summary>Cost that no pool could cover at settlement (logged; the balance never goes below zero).</summary>
    public long UncoveredMicros { get; set; }

    public ReservationStatus Status { get; set; }

    /// <summary>The host instance that made it; at start an instance releases what its previous run left open.</summary>
    public required string Holder { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The key that made the request (null when none). Kept for every key, so a budget set while the request runs can
    /// count its hold.
    /// </summary>
    public Guid? BudgetKeyId { get; set; }

    /// <summary>The day of the key's <c>ApiKeySpend</c> row that counts this hold; null when no budget counts it.</summary>
    public int? BudgetDay { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>A new open hold of <paramref name="heldMicros"/> for one request, made by <paramref name="holder"/>.</summary>
    public static CreditReservation Open(string userId, string inferenceId, long heldMicros, string holder, DateTimeOffset now) => new()
    {
        UserId = userId,
        InferenceId = inferenceId,
        HeldMicros = heldMicros,
        Status = ReservationStatus.Open,
        Holder = holder,
        CreatedAt = now,
    };
}
