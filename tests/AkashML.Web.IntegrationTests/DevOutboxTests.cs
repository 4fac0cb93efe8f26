using System.Net;
using AkashML.Web.Accounts.Email;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AkashML.Web.IntegrationTests;

/// <summary>The dev outbox keeps a bounded number of messages and is shown only where it is safe to show it.</summary>
public sealed class DevOutboxTests
{
    [Fact]
    public async Task The_outbox_keeps_only_the_newest_messages_up_to_its_capacity()
    {
        var outbox = new DevOutbox(Options.Create(new EmailOptions { DevOutboxCapacity = 3 }), TimeProvider.System, NullLogger<DevOutbox>.Instance);
        for (var i = 1; i <= 5; i++)
        {
            await outbox.DeliverAsync(new OutgoingEmail($"u{i}@example.test", "s", "t", "h", EmailPurpose.ConfirmAccount, $"https://x/{i}"), CancellationToken.None);
        }

        Assert.Equal(["u5@example.test", "u4@example.test", "u3@example.test"], outbox.Snapshot().Select(e => e.Email.To));
        Assert.Equal([5L, 4L, 3L], outbox.Snapshot().Select(e => e.Id));
    }

    [Theory]
    [InlineData("127.0.0.1", false, null, "Development", false, true)]
    [InlineData("::1", false, null, "Development", false, true)]
    [InlineData("203.0.113.7", false, null, "Development", false, false)]
    [InlineData("203.0.113.7", true, null, "Development", false, true)]
    [InlineData("127.0.0.1", false, "smtp.example.test", "Development", false, false)]
    [InlineData("127.0.0.1", true, "smtp.example.test", "Development", false, false)]
    [InlineData("127.0.0.1", false, null, "Production", false, false)]
    [InlineData("127.0.0.1", false, null, "Production", true, true)]
    [InlineData("127.0.0.1", false, "smtp.example.test", "Production", true, false)]
    [InlineData("127.0.0.1", false, null, "Staging", false, true)]
    public void The_outbox_is_offered_to_loopback_clients_outside_production_unless_allowed_and_never_with_SMTP(
        string remote, bool allowRemote, string? smtpHost, string environment, bool inProduction, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        var options = new EmailOptions { DevOutboxAllowRemote = allowRemote, DevOutboxInProduction = inProduction, Smtp = new SmtpOptions { Host = smtpHost } };

        Assert.Equal(expected, DevOutboxAccess.IsAvailable(context, options, new HostingEnvironment { EnvironmentName = environment }));
    }
}
