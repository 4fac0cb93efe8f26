using System.Text;
using AkashML.Billing.Webhooks;
using AkashML.Web.Gateway;

namespace AkashML.Web.Billing;

/// <summary><c>POST /stripe/webhook</c>: hands the raw body and its signature to <see cref="StripeWebhookProcessor"/>.</summary>
public static class StripeWebhookEndpoint
{
    public static IEndpointConventionBuilder MapStripeWebhook(this IEndpointRouteBuilder app) =>
        app.MapPost("/stripe/webhook", ReceiveAsync)
            .WithName("StripeWebhook")
            .WithSummary("Receives Stripe events (signed with Stripe-Signature)")
            .ExcludeFromDescription()
            .WithMetadata(BoundsItsOwnBody.Instance)
            .DisableAntiforgery();

    private static async Task<IResult> ReceiveAsync(HttpRequest request, StripeWebhookProcessor processor, CancellationToken cancellationToken)
    {
        if (request.ContentLength > StripeWebhookProcessor.MaxPayloadBytes)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        // The signature covers the exact bytes, so the body is read raw, never through model binding.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > StripeWebhookProcessor.MaxPayloadBytes)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var payload = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        var result = await processor.ProcessAsync(payload, request.Headers["Stripe-Signature"].ToString(), cancellationToken);
        return Results.Json(new { received = result.StatusCode == StatusCodes.Status200OK, outcome = result.Outcome.ToString(), message = result.Message }, statusCode: result.StatusCode);
    }
}
