namespace AkashML.Billing.Ledger;

/// <summary>A user's credits now: what can be spent, what open requests hold, and every pool.</summary>
/// <param name="UsableMicros">Spendable now: remainders of unexpired pools (held credits are not included).</param>
/// <param name="HeldMicros">Held by open reservations of in-flight requests.</param>
public sealed record CreditBalance(long UsableMicros, long HeldMicros, IReadOnlyList<CreditPoolView> Pools);

/// <summary>One pool as shown to people.</summary>
public sealed record CreditPoolView(
    Guid Id,
    CreditSource Source,
    long AmountMicros,
    long RemainingMicros,
    DateTimeOffset? ExpiresAt,
    bool Expired,
    DateTimeOffset CreatedAt,
    string? Reason,
    string? Reference);
