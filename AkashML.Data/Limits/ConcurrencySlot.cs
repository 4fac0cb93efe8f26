namespace AkashML.Data.Limits;

/// <summary>
/// One of a key's concurrent-request slots (numbered 0 to max-1). A request holds a slot through a lease that its
/// replica renews while the request runs; a lease that is not renewed (its replica crashed) expires and the slot is free.
/// </summary>
public sealed class ConcurrencySlot
{
    public Guid KeyId { get; set; }

    public int Slot { get; set; }

    /// <summary>The holder's lease; null when the slot is free.</summary>
    public Guid? LeaseId { get; set; }

    public DateTimeOffset? LeaseExpiresAt { get; set; }
}
