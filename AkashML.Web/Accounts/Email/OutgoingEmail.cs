namespace AkashML.Web.Accounts.Email;

/// <summary>What kind of account email this is; the dev outbox and tests use it to find the right message.</summary>
public enum EmailPurpose
{
    ConfirmAccount,
    ResetPassword,
    ResetPasswordCode,

    /// <summary>Someone tried to register an address that already has an account.</summary>
    AccountExists,
}

/// <summary>One account email, ready to deliver. <paramref name="Link"/> is the raw (not HTML-encoded) action link, if any.</summary>
public sealed record OutgoingEmail(
    string To,
    string Subject,
    string TextBody,
    string HtmlBody,
    EmailPurpose Purpose,
    string? Link);
