using AkashML.Billing.Ledger;
using AkashML.Data.Billing;

namespace AkashML.Web.Billing;

/// <summary>Where the trial for verifying a payment method stands for one user.</summary>
public enum CardTrial
{
    /// <summary>Not claimed: verifying a card grants it.</summary>
    Available,

    /// <summary>A verification Checkout was started and Stripe has not confirmed it yet.</summary>
    Pending,

    /// <summary>Granted (see <see cref="BillingSummary.TrialGrantedAt"/>).</summary>
    Granted,

    /// <summary>A card was verified but the trial was refused: this person or card had one already.</summary>
    Refused,
}

/// <summary>What the top of the billing page shows: the balance with its pools, the saved card and auto top-up, the trial.</summary>
public sealed record BillingSummary(CreditBalance Balance, BillingAccount? Account, CardTrial Trial)
{
    public DateTimeOffset? TrialGrantedAt => Account?.TrialGrantedAt;

    public int ActivePools => Balance.Pools.Count(p => !p.Expired && p.RemainingMicros > 0);

    public DateTimeOffset? NextExpiry =>
        Balance.Pools.Where(p => !p.Expired && p.RemainingMicros > 0 && p.ExpiresAt is not null).Min(p => p.ExpiresAt);
}
