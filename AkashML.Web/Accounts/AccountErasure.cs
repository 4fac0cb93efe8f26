using AkashML.Data;
using AkashML.Data.Identity;
using AkashML.Web.Keys;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Accounts;

/// <summary>
/// Deletes an account the way a platform that holds money must: every key stops working, the prompts and outputs
/// kept for the user, their presets, sign-in methods and saved card are removed, and the person is erased from the
/// account row (no email, name, password or phone; locked forever). The money trail stays, anonymised: ledger
/// entries, payments, credit pools and usage records keep pointing at the same id, which names nobody any more, so
/// balances still sum and a later Stripe refund or dispute still finds its payment.
/// </summary>
public sealed class AccountErasure(
    UserManager<ApplicationUser> users,
    AkashDbContext db,
    ApiKeyService keys,
    SqliteWriteGate sqliteGate,
    ILogger<AccountErasure> logger)
{
    /// <summary>Where erased accounts' addresses point: a reserved domain that can never receive mail.</summary>
    public const string ErasedDomain = "erased.invalid";

    public async Task EraseAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);

        // Keys first, through the key service, so this replica forgets them at once even if a later step fails.
        foreach (var key in await keys.ListAsync(user.Id, cancellationToken))
        {
            await keys.RevokeAsync(key.Id, user.Id, cancellationToken);
        }

        using (db is SqliteAkashDbContext ? await sqliteGate.EnterAsync(cancellationToken) : null)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var id = user.Id;
            await db.ApiKeys.Where(k => k.UserId == id).ExecuteUpdateAsync(s => s
                .SetProperty(k => k.Name, "erased")
                .SetProperty(k => k.PreviousSecretHash, (string?)null)
                .SetProperty(k => k.PreviousLastFour, (string?)null), cancellationToken);
            await db.InferencePayloads.Where(p => p.UserId == id).ExecuteDeleteAsync(cancellationToken);
            await db.InferenceRetention.Where(r => r.UserId == id).ExecuteDeleteAsync(cancellationToken);
            await db.Presets.Where(p => p.UserId == id).ExecuteDeleteAsync(cancellationToken);

            // Request parameters can carry the caller's words (stop sequences, an end-user id); counts and costs stay.
            await db.UsageRecords.Where(u => u.UserId == id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Parameters, (string?)null), cancellationToken);
            await db.BillingAccounts.Where(a => a.UserId == id).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.PaymentMethodId, (string?)null)
                .SetProperty(a => a.CardBrand, (string?)null)
                .SetProperty(a => a.CardLast4, (string?)null)
                .SetProperty(a => a.AutoTopUpEnabled, false), cancellationToken);
            await db.UserLogins.Where(l => l.UserId == id).ExecuteDeleteAsync(cancellationToken);
            await db.UserTokens.Where(t => t.UserId == id).ExecuteDeleteAsync(cancellationToken);
            await db.UserClaims.Where(c => c.UserId == id).ExecuteDeleteAsync(cancellationToken);
            await db.UserRoles.Where(r => r.UserId == id).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var erased = $"{user.Id}@{ErasedDomain}";
        user.Email = erased;
        user.UserName = erased;
        user.EmailConfirmed = false;
        user.PasswordHash = null;
        user.PhoneNumber = null;
        user.PhoneNumberConfirmed = false;
        user.TwoFactorEnabled = false;
        user.LockoutEnabled = true;
        user.LockoutEnd = DateTimeOffset.MaxValue;
        var result = await users.UpdateAsync(user);
        if (result.Succeeded)
        {
            // A new stamp ends every session and open dashboard of the account.
            result = await users.UpdateSecurityStampAsync(user);
        }

        if (!result.Succeeded)
        {
            throw new InvalidOperationException("The account could not be erased: " + string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        logger.LogInformation("Account {UserId} erased.", user.Id);
    }
}
