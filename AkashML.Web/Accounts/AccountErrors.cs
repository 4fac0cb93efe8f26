using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Accounts;

/// <summary>Identity's error list, made readable for the account pages.</summary>
public static class AccountErrors
{
    /// <summary>True when the only problem is that the address already has an account (Identity names it twice).</summary>
    public static bool OnlyTakenAddress(IEnumerable<IdentityError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var list = errors.ToList();
        return list.Count > 0 && list.TrueForAll(e => e.Code is "DuplicateEmail" or "DuplicateUserName");
    }

    /// <summary>
    /// Accounts use the email as user name, so Identity reports a taken address twice; keep one clear message instead.
    /// </summary>
    public static IReadOnlyList<IdentityError> ForRegistration(IEnumerable<IdentityError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var list = errors.ToList();
        if (!list.Exists(e => e.Code is "DuplicateEmail" or "DuplicateUserName"))
        {
            return list;
        }

        var rest = list.Where(e => e.Code is not ("DuplicateEmail" or "DuplicateUserName"));
        return
        [
            new IdentityError
            {
                Code = "DuplicateEmail",
                Description = "An account with this email already exists. Sign in, or reset your password if you forgot it.",
            },
            .. rest,
        ];
    }
}
