namespace AkashML.Billing.TopUp;

/// <summary>
/// The metadata we put on Stripe objects (Checkout Sessions, PaymentIntents, SetupIntents): our payment id lets a
/// webhook find the payment whatever order Stripe's events arrive in.
/// </summary>
public static class StripeMetadata
{
    public const string PaymentId = "akashml_payment_id";
    public const string UserId = "akashml_user_id";
    public const string Kind = "akashml_kind";

    /// <param name="kind">Shown on the Stripe dashboard beside the payment (<c>top_up</c>, <c>auto_top_up</c>); null leaves it out.</param>
    public static Dictionary<string, string> For(Payment payment, string? kind = null)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var metadata = new Dictionary<string, string> { [PaymentId] = payment.Id.ToString(), [UserId] = payment.UserId };
        if (kind is not null)
        {
            metadata[Kind] = kind;
        }

        return metadata;
    }

    /// <summary>Our payment id on an object Stripe sent back, if it carries a well-formed one.</summary>
    public static Guid? PaymentIdOf(IDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(PaymentId, out var value) && Guid.TryParse(value, out var id) ? id : null;
}
