namespace AkashML.Billing.TopUp;

public enum CheckoutStatus
{
    /// <summary>Send the user to <see cref="CheckoutResult.Url"/>.</summary>
    Created,

    /// <summary>The request was refused (<see cref="CheckoutResult.Error"/> says why); nothing was sent to Stripe.</summary>
    Invalid,

    /// <summary>Stripe is not configured on this installation.</summary>
    Unavailable,

    /// <summary>Stripe refused or could not be reached.</summary>
    Failed,
}

/// <summary>The outcome of starting a Checkout Session.</summary>
public sealed record CheckoutResult(CheckoutStatus Status, Guid? PaymentId, string? SessionId, string? Url, string? Error)
{
    public static CheckoutResult Invalid(string error) => new(CheckoutStatus.Invalid, null, null, null, error);
}
