using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of this test's own (initdb in a temporary folder), for faults that must not touch the shared
/// test server: restarting it under load. Uses the binaries of <c>AKASHML_PG_BIN</c> (default PostgreSQL 15's), and the
/// <c>postgres</c> account when running as root, as <c>scripts/test.sh</c> does.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly string _bin;
    private readonly string _folder;
    private readonly int _port;

    private ThrowawayPostgres(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        _port = port;
    }

    public static string Binaries => Environment.GetEnvironmentVariable("AKASHML_PG_BIN") is { Length: > 0 } bin ? bin : "/usr/lib/postgresql/15/bin";

    /// <summary>Why such a cluster cannot be made here, or null when it can (or must: PostgreSQL is required).</summary>
    public static string? SkipReason =>
        File.Exists(Path.Combine(Binaries, "initdb")) || PostgresEnvironment.Required
            ? null
            : $"No PostgreSQL binaries at {Binaries} (set AKASHML_PG_BIN) to run a cluster of the test's own.";

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = "akashml",
        Database = "postgres",
        Pooling = true,
        MaxPoolSize = 50,
        Timeout = 3,
    }.ConnectionString;

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "akashml-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres", folder]);
        }

        var cluster = new ThrowawayPostgres(Binaries, folder, FreePort());
        await cluster.RunAsPostgresAsync("initdb", ["-D", cluster.DataFolder, "-U", "akashml", "--auth=trust", "-E", "UTF8", "--no-locale"]);
        await cluster.StartServerAsync();
        return cluster;
    }

    /// <summary>Restarts the server as an operator would for a minor upgrade: sessions are cut, the data stays.</summary>
    public Task RestartAsync() =>
        RunAsPostgresAsync("pg_ctl", ["-D", DataFolder, "-m", "fast", "-w", "-t", "60", "-o", ServerOptions, "-l", LogFile, "restart"]);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsPostgresAsync("pg_ctl", ["-D", DataFolder, "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private string DataFolder => Path.Combine(_folder, "data");

    private string LogFile => Path.Combine(_folder, "server.log");

    private string ServerOptions => string.Create(CultureInfo.InvariantCulture,
        $"-p {_port} -k {_folder} -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=off -c full_page_writes=off");

    private static bool IsRoot => Environment.UserName == "root";

    private Task StartServerAsync() =>
        RunAsPostgresAsync("pg_ctl", ["-D", DataFolder, "-w", "-t", "60", "-o", ServerOptions, "-l", LogFile, "start"]);

    /// <summary>Runs a client tool of the same PostgreSQL build (pg_dump, pg_restore…) as the current user; throws with its output on failure.</summary>
    public static Task RunToolAsync(string tool, IReadOnlyList<string> arguments) => RunAsync(Path.Combine(Binaries, tool), arguments);

    private Task RunAsPostgresAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(_bin, tool);
        return IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments]) : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(CommandTimeout);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await errors}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
