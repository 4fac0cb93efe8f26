using AkashML.Billing.Reservations;
using AkashML.Inference.Catalog;

namespace AkashML.Web.Api.Metering;

/// <summary>
/// Steps 5 and 7 of an API request (DESIGN.md): reserve credits for prompt + maximum output at the model's price before
/// generating (402 when the balance cannot cover it), and settle what was actually produced afterwards — on success,
/// error and cancellation alike. The reservation lives on the <see cref="ApiCall"/>; <see cref="ApiCallFilter"/> settles it.
/// </summary>
public sealed class CreditMetering(IServiceScopeFactory scopes, Shell.AccountChanges changes)
{
    public async Task ReserveAsync(ApiCall call, ModelDescriptor model, int promptTokens, int maxNewTokens, CancellationToken cancellationToken)
    {
        var userId = call.Key?.UserId ?? throw new InvalidOperationException("metering needs an authenticated key");
        await using var scope = scopes.CreateAsyncScope();
        var billing = scope.ServiceProvider.GetRequiredService<RequestBilling>();
        var result = await billing.ReserveAsync(userId, call.InferenceId, promptTokens, maxNewTokens,
            model.InputPricePerMillion, model.OutputPricePerMillion, cancellationToken);
        if (!result.IsReserved)
        {
            throw new ApiException(StatusCodes.Status402PaymentRequired, ApiErrorKind.InsufficientCredits, result.InsufficientMessage, code: "insufficient_credits");
        }

        call.Reservation = result.Reservation;
    }

    /// <summary>Charges the tokens the call produced (nothing reserved: nothing to do) and records the cost on the call.</summary>
    public async Task SettleAsync(ApiCall call)
    {
        if (call.Reservation is not { } reservation)
        {
            return;
        }

        call.Reservation = null;
        await using var scope = scopes.CreateAsyncScope();
        var billing = scope.ServiceProvider.GetRequiredService<RequestBilling>();
        var settled = call.PromptTokens + call.CompletionTokens > 0
            ? await billing.SettleAsync(reservation, call.PromptTokens, call.CompletionTokens, CancellationToken.None)
            : await billing.ReleaseAsync(reservation, CancellationToken.None);
        call.CostMicros = settled.ChargedMicros;
        // Open dashboards of the key's owner show the new balance at once (their own poll covers other replicas).
        if (call.Key?.UserId is { } userId)
        {
            changes.Publish(userId);
        }
    }
}
