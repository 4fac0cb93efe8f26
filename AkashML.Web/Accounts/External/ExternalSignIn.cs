using System.Security.Claims;
using AkashML.Data.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Accounts.External;

/// <summary>What happened when someone came back from GitHub or Google.</summary>
public enum ExternalSignInOutcome
{
    /// <summary>The login was already linked; signed in.</summary>
    SignedIn,

    /// <summary>The provider's verified email matched an existing account; the login was linked to it and signed in.</summary>
    Linked,

    /// <summary>No account had that verified email; a confirmed account was created and signed in.</summary>
    Created,

    /// <summary>The provider gave no verified email: the person must supply one and confirm it.</summary>
    NeedsEmail,

    /// <summary>The account is locked out.</summary>
    LockedOut,

    /// <summary>The matching account uses two-factor sign-in, so it is not linked automatically.</summary>
    RequiresManualLink,

    /// <summary>The account exists but may not sign in (for example, its email is not confirmed).</summary>
    NotAllowed,
}

/// <summary>The outcome and, when something was refused, Identity's reasons.</summary>
public sealed record ExternalSignInResult(ExternalSignInOutcome Outcome, IReadOnlyList<string> Errors);

/// <summary>
/// Finishes an external sign-in: signs in a linked login, links a login whose provider-verified email matches an
/// account, or creates a confirmed account.
/// </summary>
public sealed class ExternalSignIn(
    SignInManager<ApplicationUser> signInManager,
    AccountProvisioning provisioning,
    ILogger<ExternalSignIn> logger)
{
    private UserManager<ApplicationUser> Users => signInManager.UserManager;

    /// <summary>The provider's email, only when it vouches that the address is verified.</summary>
    public static string? VerifiedEmail(ExternalLoginInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var verified = info.Principal.FindFirstValue(ExternalProvider.EmailVerifiedClaim);
        var email = info.Principal.FindFirstValue(ClaimTypes.Email);
        return string.Equals(verified, "true", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(email) ? email.Trim() : null;
    }

    public async Task<ExternalSignInResult> CompleteAsync(ExternalLoginInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var result = await signInManager.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: false, bypassTwoFactor: true);
        if (result.Succeeded)
        {
            logger.LogInformation("Signed in with {Provider}", info.LoginProvider);
            return new(ExternalSignInOutcome.SignedIn, []);
        }

        if (result.IsLockedOut)
        {
            return new(ExternalSignInOutcome.LockedOut, []);
        }

        if (result.IsNotAllowed)
        {
            return new(ExternalSignInOutcome.NotAllowed, []);
        }

        var email = VerifiedEmail(info);
        if (email is null)
        {
            return new(ExternalSignInOutcome.NeedsEmail, []);
        }

        var existing = await Users.FindByEmailAsync(email);
        return existing is null ? await CreateAsync(info, email) : await LinkAsync(info, existing);
    }

    private async Task<ExternalSignInResult> LinkAsync(ExternalLoginInfo info, ApplicationUser user)
    {
        if (await Users.IsLockedOutAsync(user))
        {
            return new(ExternalSignInOutcome.LockedOut, []);
        }

        if (await Users.GetTwoFactorEnabledAsync(user))
        {
            // Email ownership alone must not bypass a second factor the person chose.
            return new(ExternalSignInOutcome.RequiresManualLink, []);
        }

        if (!await Users.IsEmailConfirmedAsync(user))
        {
            // The provider has just proven who owns this address. A password set before anyone proved it could belong
            // to someone who pre-registered the address, so it is dropped (the owner can set one later).
            if (await Users.HasPasswordAsync(user))
            {
                var removed = await Users.RemovePasswordAsync(user);
                if (!removed.Succeeded)
                {
                    return new(ExternalSignInOutcome.NotAllowed, Describe(removed));
                }
            }

            user.EmailConfirmed = true;
            var updated = await Users.UpdateAsync(user);
            if (!updated.Succeeded)
            {
                return new(ExternalSignInOutcome.NotAllowed, Describe(updated));
            }
        }

        var added = await Users.AddLoginAsync(user, info);
        if (!added.Succeeded)
        {
            return new(ExternalSignInOutcome.NotAllowed, Describe(added));
        }

        await SignInAsync(user, info);
        logger.LogInformation("Linked a {Provider} login to user {UserId} by verified email", info.LoginProvider, user.Id);
        return new(ExternalSignInOutcome.Linked, []);
    }

    private async Task<ExternalSignInResult> CreateAsync(ExternalLoginInfo info, string email)
    {
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        var created = await Users.CreateAsync(user);
        if (!created.Succeeded)
        {
            return new(ExternalSignInOutcome.NotAllowed, Describe(created));
        }

        var added = await Users.AddLoginAsync(user, info);
        if (!added.Succeeded)
        {
            await Users.DeleteAsync(user);
            return new(ExternalSignInOutcome.NotAllowed, Describe(added));
        }

        await provisioning.PromoteIfFirstOrRequestedAsync(user);
        await SignInAsync(user, info);
        logger.LogInformation("Created user {UserId} from a {Provider} login", user.Id, info.LoginProvider);
        return new(ExternalSignInOutcome.Created, []);
    }

    private async Task SignInAsync(ApplicationUser user, ExternalLoginInfo info)
    {
        await signInManager.Context.SignOutAsync(IdentityConstants.ExternalScheme);
        await signInManager.SignInAsync(user, isPersistent: false, info.LoginProvider);
    }

    private static string[] Describe(IdentityResult result) => [.. result.Errors.Select(e => e.Description)];
}
