using System.Net;
using System.Text.Encodings.Web;
using AkashML.Data.Identity;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Accounts.Email;

/// <summary>
/// Composes Identity's account emails and hands them to the configured <see cref="IEmailDelivery"/> (SMTP or the dev
/// outbox).
/// </summary>
/// <remarks>Identity passes links HTML-encoded (its own endpoints do), so they are decoded once here.</remarks>
public sealed class AccountEmailSender(IEmailDelivery delivery) : IEmailSender<ApplicationUser>
{
    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        SendLinkAsync(
            email,
            EmailPurpose.ConfirmAccount,
            "Confirm your AkashML account",
            "Welcome to AkashML. Confirm your email address to finish creating your account:",
            "Confirm email",
            confirmationLink);

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        SendLinkAsync(
            email,
            EmailPurpose.ResetPassword,
            "Reset your AkashML password",
            "Someone asked to reset the password of your AkashML account. If it was you, choose a new password here:",
            "Reset password",
            resetLink);

    /// <summary>
    /// Tells the owner of <paramref name="email"/> that someone tried to create a second account with it. Registration
    /// answers such an attempt exactly like a new account, so only the address's owner learns that it is registered.
    /// </summary>
    public Task SendAccountExistsAsync(string email, string signInLink) =>
        SendLinkAsync(
            email,
            EmailPurpose.AccountExists,
            "You already have an AkashML account",
            "Someone, perhaps you, tried to create an AkashML account with this address, which already has one. Sign in instead (or reset your password from the sign-in page):",
            "Sign in",
            HtmlEncoder.Default.Encode(signInLink));

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        var code = WebUtility.HtmlDecode(resetCode);
        var text = $"Your AkashML password reset code is: {code}\n\nIf you did not ask for it, ignore this email.";
        var html = $"<p>Your AkashML password reset code is: <strong>{HtmlEncoder.Default.Encode(code)}</strong></p><p>If you did not ask for it, ignore this email.</p>";
        return delivery.DeliverAsync(new OutgoingEmail(email, "Your AkashML password reset code", text, html, EmailPurpose.ResetPasswordCode, null), Aborted);
    }

    private Task SendLinkAsync(string to, EmailPurpose purpose, string subject, string intro, string action, string encodedLink)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        ArgumentException.ThrowIfNullOrWhiteSpace(encodedLink);
        var link = WebUtility.HtmlDecode(encodedLink);
        var text = $"{intro}\n\n{link}\n\nIf you did not ask for this, ignore this email.";
        var html =
            $"<p>{HtmlEncoder.Default.Encode(intro)}</p>" +
            $"<p><a href=\"{HtmlEncoder.Default.Encode(link)}\">{HtmlEncoder.Default.Encode(action)}</a></p>" +
            "<p>If you did not ask for this, ignore this email.</p>";
        return delivery.DeliverAsync(new OutgoingEmail(to, subject, text, html, purpose, link), Aborted);
    }

    // The account change that triggered the email is already saved; a client that goes away must not cut the email off.
    // SMTP sends are bounded by Email:Smtp:TimeoutSeconds instead.
    private static CancellationToken Aborted => CancellationToken.None;
}
