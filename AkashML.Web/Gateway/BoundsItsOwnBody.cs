namespace AkashML.Web.Gateway;

/// <summary>
/// Endpoint metadata: the handler bounds the body it reads itself and answers 413 in its own shape (the APIs by
/// <c>Api:MaxRequestBodyBytes</c>, the Stripe webhook by its payload cap), so the dashboard's form limit does not
/// apply. Kestrel's limit stays above theirs so that a refused body can still be drained and the 413 read.
/// </summary>
public sealed class BoundsItsOwnBody
{
    public static readonly BoundsItsOwnBody Instance = new();

    private BoundsItsOwnBody()
    {
    }
}
