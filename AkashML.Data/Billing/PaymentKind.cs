namespace AkashML.Data.Billing;

public enum PaymentKind
{
    /// <summary>A Checkout Session in payment mode started by the user.</summary>
    TopUp,

    /// <summary>An off-session PaymentIntent with the saved payment method.</summary>
    AutoTopUp,

    /// <summary>A Checkout Session in setup mode: saves a card, may grant the trial; moves no money.</summary>
    Verification,
}
