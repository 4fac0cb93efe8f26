namespace AkashML.Data.Billing;

/// <summary>
/// An append-only movement of credits in one pool. The usable balance of a user is the sum of their entries
/// (once expired remainders are recorded), and each pool's remainder is the sum of its entries.
/// </summary>
public sealed class LedgerEntry
{
    public long Id { get; set; }

    public required string UserId { get; set; }

    public Guid PoolId { get; set; }

    public LedgerEntryKind Kind { get; set; }

    /// <summary>Signed micro-dollars: positive adds usable credit, negative removes it.</summary>
    public long AmountMicros { get; set; }

    public Guid? ReservationId { get; set; }

    /// <summary>The <c>Inference-Id</c> of the request that reserved or spent the credits.</summary>
    public string? InferenceId { get; set; }

    /// <summary>The payment the entry belongs to (Stripe PaymentIntent id), if any.</summary>
    public string? PaymentReference { get; set; }

    public string? Note { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
