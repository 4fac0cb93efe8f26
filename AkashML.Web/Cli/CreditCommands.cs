using System.Globalization;
using AkashML.Billing.Ledger;
using AkashML.Billing.Prices;
using AkashML.Data.Billing;
using AkashML.Data.Identity;
using AkashML.Web.Hosting;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Cli;

/// <summary><c>credits grant|show</c>.</summary>
internal static class CreditCommands
{
    public static async Task<int> RunAsync(WebApplication app, VerbArguments arguments)
    {
        await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);
        await using var scope = app.Services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<CreditLedger>();
        switch (arguments.Sub)
        {
            case "grant":
                {
                    var user = await FindUserAsync(scope.ServiceProvider, arguments.Required("email"));
                    var micros = ParseUsd(arguments.Required("usd"));
                    var expires = arguments.Optional("expires") is { } text ? ParseInstant(text) : (DateTimeOffset?)null;
                    if (expires <= DateTimeOffset.UtcNow)
                    {
                        throw new CommandLineException("--expires must be in the future");
                    }

                    var pool = await ledger.GrantAsync(user.Id, CreditSource.AdminGrant, micros, expires, arguments.Optional("reason") ?? "granted by an operator", reference: null, CancellationToken.None);
                    var balance = await ledger.GetBalanceAsync(user.Id, CancellationToken.None);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"granted {Money.FormatUsd(micros)} USD to {user.Email} (pool {pool.Id}{(expires is { } e ? ", expires " + Format(e) : "")}); balance {Money.FormatUsd(balance.UsableMicros)} USD"));
                    return 0;
                }

            case "show":
                {
                    var user = await FindUserAsync(scope.ServiceProvider, arguments.Required("email"));
                    var balance = await ledger.GetBalanceAsync(user.Id, CancellationToken.None);
                    Console.WriteLine(Money.FormatUsd(balance.UsableMicros));
                    Console.WriteLine($"held by requests in flight: {Money.FormatUsd(balance.HeldMicros)}");
                    Console.WriteLine("pool\tsource\tamount\tremaining\texpires\tstatus\tcreated\treason");
                    foreach (var pool in balance.Pools)
                    {
                        var status = pool.Expired ? "expired" : pool.RemainingMicros == 0 ? "used" : "active";
                        Console.WriteLine(string.Join('\t',
                            pool.Id, pool.Source, Money.FormatUsd(pool.AmountMicros), Money.FormatUsd(pool.RemainingMicros),
                            pool.ExpiresAt is { } e ? Format(e) : "never", status, Format(pool.CreatedAt), pool.Reason ?? pool.Reference ?? "-"));
                    }

                    return 0;
                }

            default:
                throw new CommandLineException(VerbCatalog.Usage("credits"));
        }
    }

    private static async Task<ApplicationUser> FindUserAsync(IServiceProvider services, string email) =>
        await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email)
            ?? throw new CommandLineException($"no user with email {email}");

    private static long ParseUsd(string text)
    {
        if (!decimal.TryParse(text.TrimStart('$'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd) || usd <= 0)
        {
            throw new CommandLineException($"--usd must be a positive amount in USD (e.g. 10 or 2.50), got '{text}'");
        }

        try
        {
            return Money.UsdToMicros(usd);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new CommandLineException($"--usd has at most six decimals and must be reasonable, got '{text}'");
        }
    }

    private static DateTimeOffset ParseInstant(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value.ToUniversalTime()
            : throw new CommandLineException($"--expires must be an ISO 8601 date or date-time, got '{text}'");

    private static string Format(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
