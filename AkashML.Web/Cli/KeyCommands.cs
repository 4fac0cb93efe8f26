using System.Globalization;
using AkashML.Billing.Prices;
using AkashML.Data.Identity;
using AkashML.Data.Keys;
using AkashML.Web.Hosting;
using AkashML.Web.Keys;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Cli;

/// <summary><c>keys create|edit|list|roll|revoke</c>.</summary>
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
                    var budget = Budget(arguments, null);
                    var limits = new ApiKeyLimits(
                        arguments.OptionalInt("rpm"),
                        arguments.OptionalInt("tpm"),
                        arguments.OptionalInt("concurrency"),
                        arguments.Optional("expires") is { } expires ? ParseInstant(expires) : null,
                        budget,
                        Period(arguments, budget is null ? ApiKeyBudgetPeriod.None : ApiKeyBudgetPeriod.Monthly),
                        arguments.Optional("models") is { } models ? ApiKeyBudget.ParseModels(models) ?? [] : null);
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

            case "edit":
                {
                    var id = KeyId(arguments, "usage: " + VerbCatalog.All.First(v => v is { Verb: "keys", Sub: "edit" }).Line);
                    var key = await keys.FindAsync(id, ownerId: null, CancellationToken.None) ?? throw new CommandLineException($"no key with id {id}");
                    var budget = Budget(arguments, key.BudgetMicros);
                    var limits = new ApiKeyLimits(
                        Clearable(arguments, "rpm", key.RequestsPerMinute, () => arguments.OptionalInt("rpm")),
                        Clearable(arguments, "tpm", key.TokensPerMinute, () => arguments.OptionalInt("tpm")),
                        Clearable(arguments, "concurrency", key.MaxConcurrency, () => arguments.OptionalInt("concurrency")),
                        IsNone(arguments, "expires") ? null : arguments.Optional("expires") is { } expires ? ParseInstant(expires) : key.ExpiresAt,
                        budget,
                        budget is null && !arguments.Flag("budget-period") ? ApiKeyBudgetPeriod.None
                            : Period(arguments, key.BudgetMicros is null ? ApiKeyBudgetPeriod.Monthly : key.BudgetPeriod),
                        IsNone(arguments, "models", "all") ? null
                            : arguments.Optional("models") is { } models ? ApiKeyBudget.ParseModels(models) ?? [] : key.AllowedModels);
                    try
                    {
                        if (!await keys.EditAsync(id, ownerId: null, arguments.Optional("name") ?? key.Name, limits, CancellationToken.None))
                        {
                            throw new CommandLineException($"no key with id {id}");
                        }
                    }
                    catch (ApiKeyValidationException ex)
                    {
                        throw new CommandLineException(ex.Message);
                    }

                    Console.WriteLine($"edited {id}");
                    return 0;
                }

            case "list":
                {
                    var user = await FindUserAsync(scope.ServiceProvider, arguments.Required("email"));
                    Console.WriteLine("id\tname\tkey\tcreated\tlast_used\texpires\tstatus\trpm\ttpm\tconcurrency\tbudget_usd\tbudget_period\tspent_usd\tmodels");
                    var listed = await keys.ListAsync(user.Id, CancellationToken.None);
                    var spent = await keys.SpentThisPeriodAsync(listed, CancellationToken.None);
                    foreach (var key in listed)
                    {
                        var status = key.RevokedAt is not null ? "revoked" : key.ExpiresAt <= DateTimeOffset.UtcNow ? "expired" : "active";
                        Console.WriteLine(string.Join('\t',
                            key.Id, key.Name, key.Prefix + "…" + key.LastFour, Format(key.CreatedAt), Format(key.LastUsedAt), Format(key.ExpiresAt),
                            status, key.RequestsPerMinute?.ToString(CultureInfo.InvariantCulture) ?? "-",
                            key.TokensPerMinute?.ToString(CultureInfo.InvariantCulture) ?? "-", key.MaxConcurrency?.ToString(CultureInfo.InvariantCulture) ?? "-",
                            key.BudgetMicros is { } budget ? Money.FormatUsd(budget) : "-", key.BudgetMicros is null ? "-" : ApiKeyBudget.PeriodName(key.BudgetPeriod),
                            key.BudgetMicros is null ? "-" : Money.FormatUsd(spent.GetValueOrDefault(key.Id)),
                            key.AllowedModels is { Count: > 0 } allowed ? string.Join(',', allowed) : "all"));
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

    /// <summary><c>--budget-usd</c> in micro-dollars; <paramref name="current"/> when absent, null for <c>none</c>.</summary>
    private static long? Budget(VerbArguments arguments, long? current)
    {
        if (IsNone(arguments, "budget-usd"))
        {
            return null;
        }

        if (!arguments.Flag("budget-usd"))
        {
            return current;
        }

        var (micros, problem) = ApiKeyBudget.ParseUsd(arguments.Optional("budget-usd") ?? throw new CommandLineException("--budget-usd needs an amount in USD"), "--budget-usd");
        return problem is null ? micros : throw new CommandLineException(problem);
    }

    /// <summary><c>--budget-period</c>, or <paramref name="fallback"/> when absent; an unknown name is refused.</summary>
    private static ApiKeyBudgetPeriod Period(VerbArguments arguments, ApiKeyBudgetPeriod fallback) =>
        arguments.Optional("budget-period") is not { } text ? fallback
        : ApiKeyBudget.ParsePeriod(text) ?? throw new CommandLineException($"--budget-period must be {ApiKeyBudget.PeriodNames}, got '{text}'");

    /// <summary>An option given as <c>none</c> (or <paramref name="alias"/>): the edit clears the setting.</summary>
    private static bool IsNone(VerbArguments arguments, string name, string alias = "none") =>
        arguments.Optional(name) is { } text && (text.Equals("none", StringComparison.OrdinalIgnoreCase) || text.Equals(alias, StringComparison.OrdinalIgnoreCase));

    private static int? Clearable(VerbArguments arguments, string name, int? current, Func<int?> parse) =>
        IsNone(arguments, name) ? null : arguments.Flag(name) ? parse() : current;

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
