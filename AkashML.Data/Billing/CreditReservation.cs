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

    public DateTimeOffset? ClosedAt { get; set; }
}
