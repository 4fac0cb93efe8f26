using AkashML.Data.Identity;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Accounts;

/// <summary>What a password sign-in attempt may tell the visitor.</summary>
public enum PasswordSignInOutcome
{
    SignedIn,
    RequiresTwoFactor,

    /// <summary>The password was right but the account is locked: only someone who knows it learns that.</summary>
    LockedOut,

    /// <summary>The password was right but the email is not confirmed yet.</summary>
    NotConfirmed,

    /// <summary>Everything else, alike: an unknown email, a wrong password, a locked or unconfirmed account with a wrong password.</summary>
    Invalid,
}

/// <summary>
/// Password sign-in that does not reveal which emails have accounts. Identity checks lockout and confirmation before
/// the password, so its answers alone would tell a stranger that an address is registered (locked or unconfirmed);
/// here those answers are given only to a caller who also got the password right, and an unknown email costs the same
/// password hash as a known one, so timing does not tell either.
/// </summary>
public sealed class PasswordSignIn(SignInManager<ApplicationUser> signInManager, IPasswordHasher<ApplicationUser> hasher)
{
    // A hash of a random password made once: verifying against it costs what verifying a real account does.
    private static readonly Lazy<string> DecoyHash = new(() =>
        new PasswordHasher<ApplicationUser>().HashPassword(new ApplicationUser(), Guid.NewGuid().ToString("N")));

    public async Task<PasswordSignInOutcome> SignInAsync(string email, string password, bool remember)
    {
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(password);
        var users = signInManager.UserManager;
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            hasher.VerifyHashedPassword(new ApplicationUser(), DecoyHash.Value, password);
            return PasswordSignInOutcome.Invalid;
        }

        // Failures count towards lockout (IdentityOptions.Lockout).
        var result = await signInManager.PasswordSignInAsync(user, password, remember, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return PasswordSignInOutcome.SignedIn;
        }

        if (result.RequiresTwoFactor)
        {
            return PasswordSignInOutcome.RequiresTwoFactor;
        }

        if (result.IsLockedOut || result.IsNotAllowed)
        {
            // Identity refused before looking at the password; look now, without counting it as another failure.
            var passwordRight = await users.CheckPasswordAsync(user, password);
            if (!passwordRight)
            {
                return PasswordSignInOutcome.Invalid;
            }

            return result.IsLockedOut ? PasswordSignInOutcome.LockedOut : PasswordSignInOutcome.NotConfirmed;
        }

        return PasswordSignInOutcome.Invalid;
    }
}
