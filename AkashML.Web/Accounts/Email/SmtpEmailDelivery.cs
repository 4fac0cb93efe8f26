using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Accounts.Email;

/// <summary>Sends account email through the configured SMTP relay.</summary>
public sealed class SmtpEmailDelivery(IOptions<EmailOptions> options, ILogger<SmtpEmailDelivery> logger) : IEmailDelivery
{
    public async Task DeliverAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var settings = options.Value;
        using var message = new MailMessage
        {
            From = new MailAddress(settings.From!, settings.FromName),
            Subject = email.Subject,
            SubjectEncoding = Encoding.UTF8,
            Body = email.TextBody,
            BodyEncoding = Encoding.UTF8,
            IsBodyHtml = false,
        };
        message.To.Add(new MailAddress(email.To));
        message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(email.HtmlBody, Encoding.UTF8, MediaTypeNames.Text.Html));

        using var client = new SmtpClient(settings.Smtp.Host, settings.Smtp.Port)
        {
            EnableSsl = settings.Smtp.EnableSsl,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = settings.Smtp.TimeoutSeconds * 1000,
        };
        if (!string.IsNullOrEmpty(settings.Smtp.UserName))
        {
            client.Credentials = new NetworkCredential(settings.Smtp.UserName, settings.Smtp.Password);
        }

        await client.SendMailAsync(message, cancellationToken);
        logger.LogInformation("Sent {Purpose} email to {To} via {Host}", email.Purpose, email.To, settings.Smtp.Host);
    }
}
