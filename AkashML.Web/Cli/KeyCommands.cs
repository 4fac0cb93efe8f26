using System.Globalization;
using AkashML.Data.Identity;
using AkashML.Web.Hosting;
using AkashML.Web.Keys;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Cli;

/// <summary><c>keys create|list|roll|revoke</c>.</summary>
internal static class KeyCommands
{
    public static async Task<int> RunAsync(WebApplication app, VerbArguments arguments)
    {
        await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);
        await using var scope = app.Services.CreateAsyncScope();
        var keys = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
        switch (arguments.Sub)
        {
            case "create":
                {
                    var user = await FindUserAsync(scope.ServiceProvider, arguments.Required("email"));
                    var limits = new ApiKeyLimits(
                        arguments.OptionalInt("rpm"),
                        arguments.OptionalInt("tpm"),
                        arguments.OptionalInt("concurrency"),
                        arguments.Optional("expires") is { } expires ? ParseInstant(expires) : null);
                    try
                    {
                        var (_, secret) = await keys.CreateAsync(user.Id, arguments.Required("name"), limits, CancellationToken.None);
                        Console.WriteLine(secret);
                    }
                    catch (ApiKeyValidationException ex)
                    {
                        throw new CommandLineException(ex.Message);
                    }

                    return 0;
                }

            case "list":
                {
                    var user = await FindUserAsync(scope.ServiceProvider, arguments.Required("email"));
                    Console.WriteLine("id\tname\tkey\tcreated\tlast_used\texpires\tstatus\trpm\ttpm\tconcurrency");
                    foreach (var key in await keys.ListAsync(user.Id, CancellationToken.None))
                    {
                        var status = key.RevokedAt is not null ? "revoked" : key.ExpiresAt <= DateTimeOffset.UtcNow ? "expired" : "active";
                        Console.WriteLine(string.Join('\t',
                            key.Id, key.Name, key.Prefix + "…" + key.LastFour, Format(key.CreatedAt), Format(key.LastUsedAt), Format(key.ExpiresAt),
                            status, key.RequestsPerMinute?.ToString(CultureInfo.InvariantCulture) ?? "-",
                            key.TokensPerMinute?.ToString(CultureInfo.InvariantCulture) ?? "-", key.MaxConcurrency?.ToString(CultureInfo.InvariantCulture) ?? "-"));
                    }

                    return 0;
                }

            case "roll":
                {
                    var id = KeyId(arguments, "usage: keys roll ID [--grace HOURS] (the id column of `keys list`)");
                    var grace = arguments.Optional("grace") is not { } text ? TimeSpan.Zero
                        : double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var hours) && hours <= 24
                            ? TimeSpan.FromHours(hours)
                            : throw new CommandLineException($"--grace must be a number of hours from 0 to 24, got '{text}'");
                    try
                    {
                        var rolled = await keys.RollAsync(id, ownerId: null, grace, CancellationToken.None)
                            ?? throw new CommandLineException($"no key with id {id}");
                        Console.WriteLine(rolled.Secret);
                    }
                    catch (ApiKeyValidationException ex)
                    {
                        throw new CommandLineException(ex.Message);
                    }

                    return 0;
                }

            case "revoke":
                {
                    var id = KeyId(arguments, "usage: keys revoke ID (the id column of `keys list`)");
                    if (!await keys.RevokeAsync(id, ownerId: null, CancellationToken.None))
                    {
                        throw new CommandLineException($"no key with id {id}");
                    }

                    Console.WriteLine($"revoked {id}");
                    return 0;
                }

            default:
                throw new CommandLineException(VerbCatalog.Usage("keys"));
        }
    }

    private static Guid KeyId(VerbArguments arguments, string usage) =>
        arguments.Positional.Count == 1 && Guid.TryParse(arguments.Positional[0], out var parsed) ? parsed : throw new CommandLineException(usage);

    private static async Task<ApplicationUser> FindUserAsync(IServiceProvider services, string email) =>
        await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email)
            ?? throw new CommandLineException($"no user with email {email}");


    private static DateTimeOffset ParseInstant(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value.ToUniversalTime()
            : throw new CommandLineException($"--expires must be an ISO 8601 date or date-time, got '{text}'");

    private static string Format(DateTimeOffset? instant) =>
        instant?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "-";
}
