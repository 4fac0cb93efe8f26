using AkashML.Web.Roles;
using System.Globalization;
using AkashML.Web.Accounts;
using AkashML.Web.Hosting;
using Microsoft.AspNetCore.Identity;

namespace AkashML.Web.Cli;

/// <summary>
/// The ops CLI: verbs run in the same executable as the host. Plain text on stdout; on failure one line on stderr
/// and a non-zero exit code.
/// </summary>
public static class CommandLine
{
    private static readonly string[] Verbs = ["migrate", "backup", "restore", "users", "keys", "credits", "models", "bench", "help"];

    public static bool HasVerb(string[] args) => args.Length > 0 && Verbs.Contains(args[0], StringComparer.Ordinal);

    /// <summary>
    /// The arguments of <c>serve</c> (or no verb) as configuration sees them: the <c>serve</c> word dropped and
    /// <c>--role X</c> (or <c>--role=X</c>) written as the <c>Host:Role</c> setting.
    /// </summary>
    public static string[] ServeArguments(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rest = args.Length > 0 && args[0] == "serve" ? args[1..] : args;
        var result = new List<string>(rest.Length);
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] == "--role")
            {
                var role = i + 1 < rest.Length && !rest[i + 1].StartsWith('-') ? rest[++i] : throw new CommandLineException("--role needs a value: all, gateway or inference");
                result.Add($"--{HostRoleOptions.RoleKey}={role}");
            }
            else if (rest[i].StartsWith("--role=", StringComparison.Ordinal))
            {
                result.Add($"--{HostRoleOptions.RoleKey}={rest[i]["--role=".Length..]}");
            }
            else
            {
                result.Add(rest[i]);
            }
        }

        return [.. result];
    }

    /// <summary>
    /// The arguments meant for the host's configuration: settings written as <c>--Section:Key=value</c> or
    /// <c>--urls</c>/<c>--environment</c>; the verb's own options are left out so they do not leak into configuration.
    /// </summary>
    public static string[] HostArguments(string[] args) =>
        args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && (a.Contains(':', StringComparison.Ordinal)
            || a.StartsWith("--urls=", StringComparison.Ordinal) || a.StartsWith("--environment=", StringComparison.Ordinal)))
            .ToArray();

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        try
        {
            var arguments = new VerbArguments(args);
            if (arguments.Verb == "help" || arguments.Flag("help"))
            {
                Console.WriteLine(VerbCatalog.Help(arguments.Verb == "help" ? arguments.Sub : arguments.Verb));
                return 0;
            }

            VerbCatalog.CheckOptions(arguments);
            return arguments.Verb switch
            {
                "migrate" => await MigrateAsync(app),
                "backup" => await BackupCommands.BackupAsync(app, arguments),
                "restore" => await BackupCommands.RestoreAsync(app, arguments),
                "users" when arguments.Sub == "create" => await CreateUserAsync(app, arguments),
                "keys" => await KeyCommands.RunAsync(app, arguments),
                "models" => await ModelCommands.RunAsync(app, arguments),
                "bench" => await BenchAssembly.Load(arguments.Sub).RunAsync(app, arguments),
                "credits" => await CreditCommands.RunAsync(app, arguments),
                "users" => throw new CommandLineException(VerbCatalog.Usage("users")),
                _ => throw new CommandLineException($"unknown command '{string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))}'; run 'help' for the list"),
            };
        }
        catch (CommandLineException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return 2;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }

    private static async Task<int> MigrateAsync(WebApplication app)
    {
        var applied = await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);
        Console.WriteLine(applied.Count == 0
            ? "database is up to date"
            : string.Create(CultureInfo.InvariantCulture, $"applied {applied.Count} migrations: {string.Join(", ", applied)}"));
        return 0;
    }

    private static async Task<int> CreateUserAsync(WebApplication app, VerbArguments arguments)
    {
        await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);
        var email = arguments.Required("email");
        var password = arguments.Optional("password");
        await using var scope = app.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountProvisioning>();
        var user = await accounts.CreateConfirmedUserAsync(email, password, arguments.Flag("admin"));
        Console.WriteLine(user.Id);
        return 0;
    }
}
