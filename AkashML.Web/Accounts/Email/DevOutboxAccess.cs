using System.Net;

namespace AkashML.Web.Accounts.Email;

/// <summary>
/// Who may read the dev outbox: only when no SMTP server is configured, outside Production unless allowed there, and
/// by default only from this machine.
/// </summary>
public static class DevOutboxAccess
{
    public const string Path = "/dev/outbox";

    public static bool IsAvailable(HttpContext context, EmailOptions options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        if (options.UsesSmtp || (environment.IsProduction() && !options.DevOutboxInProduction))
        {
            return false;
        }

        // An in-process test server reports no remote address at all.
        var remote = context.Connection.RemoteIpAddress;
        return options.DevOutboxAllowRemote || remote is null || IPAddress.IsLoopback(remote);
    }
}
