namespace AkashML.Web.Accounts.Email;

/// <summary>Delivers a composed account email: over SMTP, or into the dev outbox.</summary>
public interface IEmailDelivery
{
    Task DeliverAsync(OutgoingEmail email, CancellationToken cancellationToken);
}
