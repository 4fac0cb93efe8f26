using System.Diagnostics.CodeAnalysis;
using Stripe;

namespace AkashML.Billing.TopUp;

/// <summary>Why a Stripe call failed: Stripe's error object, or no answer at all.</summary>
/// <param name="Code">The issuer's decline code, else Stripe's error code, else its error type.</param>
/// <param name="IsCardError">The card was declined or needs the customer (not our fault, not Stripe's).</param>
/// <param name="PaymentIntentId">The PaymentIntent the error belongs to, when Stripe says.</param>
public sealed record StripeFailure(string? Code, string Message, bool IsCardError, string? PaymentIntentId)
{
    /// <summary>
    /// Reads what a Stripe.net call threw when Stripe refused (<see cref="StripeException"/>), could not be reached
    /// (<see cref="HttpRequestException"/>) or did not answer in time; false for anything else, which is a bug of ours.
    /// </summary>
    public static bool TryRead(Exception exception, CancellationToken cancellationToken, [NotNullWhen(true)] out StripeFailure? failure)
    {
        failure = exception switch
        {
            StripeException { StripeError: { } error } => new(error.DeclineCode ?? error.Code ?? error.Type, error.Message ?? exception.Message, error.Type == "card_error", error.PaymentIntent?.Id),
            StripeException => new(null, exception.Message, false, null),
            HttpRequestException => new("api_connection_error", "Stripe could not be reached: " + exception.Message, false, null),
            TaskCanceledException when !cancellationToken.IsCancellationRequested => new("api_connection_error", "Stripe did not answer in time.", false, null),
            _ => null,
        };
        return failure is not null;
    }
}
