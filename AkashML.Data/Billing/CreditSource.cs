namespace AkashML.Data.Billing;

/// <summary>Where the credits of a pool came from.</summary>
public enum CreditSource
{
    /// <summary>Granted once per user (and card) for verifying a payment method; expires.</summary>
    Trial,

    /// <summary>Bought with a top-up or an auto top-up; never expires.</summary>
    Purchase,

    /// <summary>Given by an operator (<c>credits grant</c>).</summary>
    AdminGrant,

    /// <summary>Credits given back for a failed or disputed request.</summary>
    Refund,
}
