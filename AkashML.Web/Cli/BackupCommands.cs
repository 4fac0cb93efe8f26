using AkashML.Data;
using AkashML.Web.Keys;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Cli;

/// <summary>
/// <c>backup --to DIR</c> and <c>restore --from DIR [--force]</c>: what a host needs to come back with its balances and
/// working keys. The SQLite database is copied online (the host may keep running); the key pepper goes with it, since
/// stored keys are HMACs under it and would all stop working with another. PostgreSQL databases are dumped with
/// <c>pg_dump</c> instead (README), and only the pepper is written here.
/// </summary>
internal static class BackupCommands
{
    private const string DatabaseFile = "akashml.db";

    public static Task<int> BackupAsync(WebApplication app, VerbArguments arguments)
    {
        var target = Path.GetFullPath(arguments.Required("to"));
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new CommandLineException($"'{target}' is not empty; back up into a new folder");
        }

        Directory.CreateDirectory(target);
        var host = app.Services.GetRequiredService<IOptions<AkashMLOptions>>().Value;
        if (IsPostgres(app))
        {
            Console.WriteLine("database: PostgreSQL — dump it with: pg_dump --format=custom --file=akashml.dump <database> (see README)");
        }
        else
        {
            SqliteOnlineBackup.Copy(host.SqlitePath, Path.Combine(target, DatabaseFile));
            Console.WriteLine($"database: {Path.Combine(target, DatabaseFile)}");
        }

        Console.WriteLine(CopyPepper(app, host, Path.Combine(target, ApiKeyHasher.PepperFile)) is { } pepper
            ? $"key pepper: {pepper}"
            : "key pepper: set in configuration (Keys:Pepper); keep that setting");
        return Task.FromResult(0);
    }

    public static Task<int> RestoreAsync(WebApplication app, VerbArguments arguments)
    {
        var source = Path.GetFullPath(arguments.Required("from"));
        var host = app.Services.GetRequiredService<IOptions<AkashMLOptions>>().Value;
        var dataDirectory = Path.GetFullPath(host.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var force = arguments.Flag("force");
        var pepper = Path.Combine(source, ApiKeyHasher.PepperFile);
        if (File.Exists(pepper))
        {
            CopyInto(pepper, Path.Combine(dataDirectory, ApiKeyHasher.PepperFile), force);
            Console.WriteLine($"key pepper: {Path.Combine(dataDirectory, ApiKeyHasher.PepperFile)}");
        }

        if (IsPostgres(app))
        {
            Console.WriteLine("database: PostgreSQL — restore it with: pg_restore --dbname=<new database> akashml.dump (see README)");
            return Task.FromResult(0);
        }

        var database = Path.Combine(source, DatabaseFile);
        if (!File.Exists(database))
        {
            throw new CommandLineException($"'{database}' does not exist: not a backup folder");
        }

        // A stopped host's WAL and shared-memory files belong to the database being replaced.
        CopyInto(database, host.SqlitePath, force);
        File.Delete(host.SqlitePath + "-wal");
        File.Delete(host.SqlitePath + "-shm");
        Console.WriteLine($"database: {host.SqlitePath}");
        return Task.FromResult(0);
    }

    private static bool IsPostgres(WebApplication app) =>
        !string.IsNullOrWhiteSpace(app.Configuration.GetConnectionString("Postgres"));

    private static string? CopyPepper(WebApplication app, AkashMLOptions host, string target)
    {
        if (app.Services.GetRequiredService<IOptions<ApiKeyOptions>>().Value.Pepper is { Length: > 0 })
        {
            return null;
        }

        var file = Path.Combine(Path.GetFullPath(host.DataDirectory), ApiKeyHasher.PepperFile);
        if (!File.Exists(file))
        {
            return null;
        }

        File.Copy(file, target);
        return target;
    }

    private static void CopyInto(string source, string target, bool force)
    {
        if (File.Exists(target) && !force)
        {
            throw new CommandLineException($"'{target}' exists; stop the host and pass --force to replace it");
        }

        File.Copy(source, target, overwrite: true);
    }
}
