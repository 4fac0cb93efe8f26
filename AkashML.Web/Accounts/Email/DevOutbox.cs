using Microsoft.Extensions.Options;

namespace AkashML.Web.Accounts.Email;

/// <summary>One message held by the dev outbox.</summary>
public sealed record OutboxEntry(long Id, DateTimeOffset SentAt, OutgoingEmail Email);

/// <summary>
/// Where account email goes when no SMTP server is configured: the link is written to the log and the message is kept
/// in memory (bounded, oldest dropped first) for the <c>/dev/outbox</c> page.
/// </summary>
public sealed class DevOutbox(IOptions<EmailOptions> options, TimeProvider clock, ILogger<DevOutbox> logger) : IEmailDelivery
{
    private readonly Lock _gate = new();
    private readonly LinkedList<OutboxEntry> _entries = new();
    private long _nextId;

    public Task DeliverAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var capacity = options.Value.DevOutboxCapacity;
        lock (_gate)
        {
            _entries.AddFirst(new OutboxEntry(++_nextId, clock.GetUtcNow(), email));
            while (_entries.Count > capacity)
            {
                _entries.RemoveLast();
            }
        }

        // No mail server: the log is the operator's way to reach the link.
        logger.LogWarning(
            "No SMTP server configured (Email:Smtp:Host); {Purpose} email for {To} kept in the dev outbox. Link: {Link}",
            email.Purpose,
            email.To,
            email.Link ?? "(none)");
        return Task.CompletedTask;
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<OutboxEntry> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }
}
