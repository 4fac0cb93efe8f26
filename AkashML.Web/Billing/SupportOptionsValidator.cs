using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Billing;

/// <summary>Checks <see cref="SupportOptions"/> at start: a support address people cannot write to helps no one.</summary>
public sealed class SupportOptionsValidator : IValidateOptions<SupportOptions>
{
    public ValidateOptionsResult Validate(string? name, SupportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.Email) || MailAddress.TryCreate(options.Email.Trim(), out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Support:Email '{options.Email}' is not a valid email address.");
    }
}
