using AkashML.Billing.Prices;
using AkashML.Billing.Reservations;
using AkashML.Inference.Catalog;
using AkashML.Web.Keys;
using AkashML.Web.Shell;

namespace AkashML.Web.Gateway;

/// <summary>
/// Steps 5 and 7 of an API request (DESIGN.md): hold credits for prompt + maximum output at the model's price before
/// generating (402 when the balance cannot cover it), and charge what was actually produced afterwards — on success,
/// error and cancellation alike (<see cref="GatewayCall"/> settles once).
/// </summary>
public sealed class CreditMetering(IServiceScopeFactory scopes, AccountChanges changes)
{
    /// <summary>
    /// Holds the most the request may cost for <paramref name="key"/>'s owner, within the key's budget when it has one
    /// (read and counted in the same transaction as the hold, never from the cached key); 402 naming what refused it.
    /// </summary>
    public async Task<RequestReservation> ReserveAsync(AuthenticatedKey key, string inferenceId, ModelDescriptor model, int promptTokens, long maxNewTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(model);
        await using var scope = scopes.CreateAsyncScope();
        var billing = scope.ServiceProvider.GetRequiredService<RequestBilling>();
        var price = new TokenPrice(model.InputPricePerMillion, model.OutputPricePerMillion, model.EffectiveCachedInputPricePerMillion);
        var result = await billing.ReserveAsync(key.UserId, key.KeyId, inferenceId, promptTokens, checked((int)maxNewTokens), price, cancellationToken);
        return result.IsReserved ? result.Reservation!
            : result.Budget is not null
                ? throw new ApiException(StatusCodes.Status402PaymentRequired, ApiErrorKind.InsufficientCredits, result.OverBudgetMessage(key.Name), code: "key_budget_exceeded")
                : throw new ApiException(StatusCodes.Status402PaymentRequired, ApiErrorKind.InsufficientCredits, result.InsufficientMessage, code: "insufficient_credits");
    }

    /// <summary>
    /// Charges the tokens produced, <paramref name="cachedPromptTokens"/> of the prompt at the cached-input price (releases
    /// the hold when there were none); returns the charge in micro-dollars.
    /// </summary>
    public async Task<long> SettleAsync(RequestReservation reservation, string userId, int promptTokens, int cachedPromptTokens, int completionTokens)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        await using var scope = scopes.CreateAsyncScope();
        var billing = scope.ServiceProvider.GetRequiredService<RequestBilling>();
        var settled = promptTokens + completionTokens > 0
            ? await billing.SettleAsync(reservation, promptTokens, Math.Min(cachedPromptTokens, promptTokens), completionTokens, CancellationToken.None)
            : await billing.ReleaseAsync(reservation, CancellationToken.None);
        // Open dashboards of the key's owner show the new balance at once (their own poll covers other replicas).
        changes.Publish(userId);
        return settled.ChargedMicros;
    }
}
