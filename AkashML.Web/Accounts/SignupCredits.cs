using AkashML.Billing.Ledger;
using AkashML.Billing.Prices;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Accounts;

/// <summary>
/// Grants <see cref="SignupCreditsOptions"/> once per user when their email address is confirmed: by the confirmation
/// link, or by a provider that vouched for it (Google, GitHub).
/// </summary>
/// <remarks>
/// "Once" is a row in the user's Identity tokens (primary key user + provider + name) written before the grant: a
/// second confirmation, even a concurrent one (a double-clicked link), fails to insert it and grants nothing. The row
/// goes with the user when the account is deleted.
/// </remarks>
public sealed class SignupCredits(
    AkashDbContext db,
    CreditLedger ledger,
    AccountChanges changes,
    TimeProvider clock,
    IOptions<SignupCreditsOptions> options,
    ILogger<SignupCredits> logger)
{
    /// <summary>The marker's "login provider" and name in AspNetUserTokens.</summary>
    public const string MarkerProvider = "AkashML";

    public const string MarkerName = "SignupCredits";

    /// <summary>The pool's reference, telling sign-up credits from the trial for verifying a card.</summary>
    public const string PoolReference = "sign-up";

    public const string PoolReason = "Sign-up credits";

    /// <summary>Grants the sign-up credits unless they are off or this user had them; never throws into the sign-up flow.</summary>
    /// <returns>The amount granted in micro-dollars, or 0.</returns>
    public async Task<long> GrantOnceAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return 0;
        }

        var now = clock.GetUtcNow();
        var marker = new IdentityUserToken<string> { UserId = userId, LoginProvider = MarkerProvider, Name = MarkerName, Value = now.ToString("O") };
        db.UserTokens.Add(marker);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex)
        {
            db.Entry(marker).State = EntityState.Detached;
            if (StorageFull.IsCause(ex) || DatabaseOutage.IsCause(ex))
            {
                // Not a marker already there: the credits were not given, and a later try must still give them.
                throw;
            }

            // The marker exists: this user had their sign-up credits (or is getting them right now).
            return 0;
        }

        var micros = Money.UsdToMicros(settings.AmountUsd);
        try
        {
            DateTimeOffset? expires = settings.Validity > TimeSpan.Zero ? now + settings.Validity : null;
            await ledger.GrantAsync(userId, CreditSource.Trial, micros, expires, PoolReason, PoolReference, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Confirming the address matters more than the credits: leave the user able to get them on a later try.
            logger.LogError(ex, "Could not grant the sign-up credits of user {UserId}", userId);
            db.UserTokens.Remove(marker);
            await db.SaveChangesAsync(CancellationToken.None);
            return 0;
        }

        db.Entry(marker).State = EntityState.Detached;
        logger.LogInformation("Granted {Micros} micro-dollars of sign-up credits to user {UserId}", micros, userId);
        changes.Publish(userId);
        return micros;
    }
}
