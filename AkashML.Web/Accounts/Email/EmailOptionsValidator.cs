using System.Globalization;
using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Accounts.Email;

/// <summary>Checks <see cref="EmailOptions"/> at start and reports every problem at once.</summary>
public sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.DevOutboxCapacity is < 1 or > 10_000)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Email:DevOutboxCapacity must be between 1 and 10000 (got {options.DevOutboxCapacity})."));
        }

        if (!string.IsNullOrWhiteSpace(options.From) && !MailAddress.TryCreate(options.From, out _))
        {
            problems.Add($"Email:From '{options.From}' is not a valid email address.");
        }

        if (options.UsesSmtp)
        {
            if (string.IsNullOrWhiteSpace(options.From))
            {
                problems.Add("Email:From is required when Email:Smtp:Host is set.");
            }

            if (options.Smtp.Port is < 1 or > 65535)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"Email:Smtp:Port must be between 1 and 65535 (got {options.Smtp.Port})."));
            }

            if (options.Smtp.TimeoutSeconds is < 1 or > 600)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"Email:Smtp:TimeoutSeconds must be between 1 and 600 (got {options.Smtp.TimeoutSeconds})."));
            }

            if (string.IsNullOrEmpty(options.Smtp.UserName) != string.IsNullOrEmpty(options.Smtp.Password))
            {
                problems.Add("Email:Smtp:UserName and Email:Smtp:Password must be set together.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
