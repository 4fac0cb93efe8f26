using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Data.Identity;
using AkashML.Web.Shell;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Admin;

/// <summary>The outcome of an administrator's grant.</summary>
public enum GrantOutcome
{
    Granted,
    UnknownUser,
}

/// <summary>
/// What the administrators' pages read and do. Each call runs in its own scope (a circuit's grid reloads while a
/// grant or a lock is in flight; a database context allows one operation at a time).
/// </summary>
public sealed class AdminDesk(IServiceScopeFactory scopes, AccountChanges changes, TimeProvider clock)
{
    /// <summary>The largest single grant the form accepts.</summary>
    public const decimal MaxGrantUsd = 100_000m;

    /// <param name="page">1-based.</param>
    public async Task<AdminUserPage> SearchUsersAsync(string? emailContains, int page, int pageSize, UserSort sort, bool descending, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserDirectory>().SearchAsync(emailContains, page, pageSize, sort, descending, cancellationToken);
    }

    public async Task<AdminUserRow?> FindUserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserDirectory>().FindAsync(userId, cancellationToken);
    }

    /// <summary>Every request with this <c>Inference-Id</c>, whoever made it.</summary>
    public async Task<IReadOnlyList<InferenceDetail>> FindInferenceAsync(string inferenceId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InferenceLookup>().FindAsync(inferenceId, cancellationToken);
    }

    public async Task<CreditBalance> GetBalanceAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, cancellationToken);
    }

    /// <summary>Grants credits as an administrator; the user's open dashboards update at once.</summary>
    /// <param name="grantedBy">Who granted, kept as the pool's reference.</param>
    public async Task<GrantOutcome> GrantAsync(string userId, long amountMicros, DateTimeOffset? expiresAt, string reason, string grantedBy, CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            try
            {
                await scope.ServiceProvider.GetRequiredService<CreditLedger>()
                    .GrantAsync(userId, CreditSource.AdminGrant, amountMicros, expiresAt, reason, "granted by " + grantedBy, cancellationToken);
            }
            catch (UnknownUserException)
            {
                return GrantOutcome.UnknownUser;
            }
        }

        changes.Publish(userId);
        return GrantOutcome.Granted;
    }

    /// <summary>
    /// Locks the account (sign-in refused; the new security stamp ends its cookies and open circuits at their next
    /// check) or unlocks it.
    /// </summary>
    /// <returns>Null when applied, otherwise why not.</returns>
    public async Task<string?> SetLockedAsync(string userId, bool locked, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return "This user no longer exists.";
        }

        cancellationToken.ThrowIfCancellationRequested();
        var results = new List<IdentityResult>();
        if (locked)
        {
            results.Add(await users.SetLockoutEnabledAsync(user, true));
            results.Add(await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue));
            results.Add(await users.UpdateSecurityStampAsync(user));
        }
        else
        {
            results.Add(await users.SetLockoutEndDateAsync(user, null));
            results.Add(await users.ResetAccessFailedCountAsync(user));
        }

        var failed = results.FirstOrDefault(r => !r.Succeeded);
        return failed is null ? null : string.Join(" ", failed.Errors.Select(e => e.Description));
    }

    /// <summary>The instant an administrator's expiry date ends: the whole chosen day (UTC) stays usable.</summary>
    public DateTimeOffset EndOfDay(DateOnly day) => new(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset Now => clock.GetUtcNow();
}
