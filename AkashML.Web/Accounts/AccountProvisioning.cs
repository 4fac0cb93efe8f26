using AkashML.Data.Identity;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Accounts;

/// <summary>Creates accounts outside the sign-up form (ops CLI, tests) and keeps the "first user is an administrator" rule.</summary>
public sealed class AccountProvisioning(UserManager<ApplicationUser> users, RoleManager<IdentityRole> roles)
{
    public const string AdministratorRole = "Administrator";

    /// <summary>Creates a user whose email counts as confirmed. Without a password the account can only use external or reset sign-in.</summary>
    public async Task<ApplicationUser> CreateConfirmedUserAsync(string email, string? password, bool admin)
    {
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        var result = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        ThrowIfFailed(result);
        await PromoteIfFirstOrRequestedAsync(user, admin);
        return user;
    }

    /// <summary>The first account ever created, or one created with <paramref name="admin"/>, becomes an administrator.</summary>
    public async Task PromoteIfFirstOrRequestedAsync(ApplicationUser user, bool admin = false)
    {
        if (!admin && users.Users.Count() > 1)
        {
            return;
        }

        if (!await roles.RoleExistsAsync(AdministratorRole))
        {
            ThrowIfFailed(await roles.CreateAsync(new IdentityRole(AdministratorRole)));
        }

        ThrowIfFailed(await users.AddToRoleAsync(user, AdministratorRole));
    }

    private static void ThrowIfFailed(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
