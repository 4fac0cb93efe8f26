using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AkashML.Web.IntegrationTests.Cli;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>
/// The host served as an operator starts it — <c>dotnet AkashML.Web.dll --urls=http://127.0.0.1:PORT --Section:Key=value…</c>
/// — in its own process over a <see cref="TestDatabase"/>, so a test can kill it (SIGKILL) or read its memory without
/// the test process's own allocations in the figures.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private HostProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>Where it listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines it printed (stdout and stderr), for failure messages.</summary>
    public string OutputTail => string.Join('\n', _output.TakeLast(40));

    /// <summary>
    /// Starts the host on <paramref name="database"/> with <paramref name="settings"/> and waits until <c>/readyz</c>
    /// answers 200. A <paramref name="port"/> picked up front (<see cref="FreePort"/>) lets a killed host come back at the
    /// same address; otherwise a free one is taken.
    /// </summary>
    public static async Task<HostProcess> StartAsync(TestDatabase database, IReadOnlyDictionary<string, string?>? settings = null, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        Assert.True(File.Exists(HostCli.HostDll), $"{HostCli.HostDll} is missing: the test project must reference AkashML.Web.");
        var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port ?? FreePort()}/"));
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = database.DataDirectory,
        };
        start.ArgumentList.Add(HostCli.HostDll);
        start.ArgumentList.Add("--urls=" + address.ToString().TrimEnd('/'));
        var combined = new Dictionary<string, string?>(database.Settings, StringComparer.OrdinalIgnoreCase)
        {
            ["Models:Directory"] = await SharedModels.DirectoryAsync(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            combined[key] = value;
        }

        foreach (var (key, value) in combined)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["HF_ENDPOINT"] = null;
        start.Environment["HF_TOKEN"] = null;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var host = new HostProcess(process, address);
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitUntilReadyAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// An account with <paramref name="usd"/> of credits and an API key, made with the ops CLI (as an operator would) on
    /// <paramref name="database"/>; returns the key's secret.
    /// </summary>
    public static async Task<string> CreateFundedKeyAsync(TestDatabase database, string name, decimal usd)
    {
        ArgumentNullException.ThrowIfNull(database);
        var environment = new Dictionary<string, string?> { ["ConnectionStrings__Postgres"] = database.ConnectionString ?? "" };
        var email = AccountFlows.NewEmail(name);
        foreach (var verb in new[] { new[] { "users", "create", "--email", email }, ["credits", "grant", "--email", email, "--usd", usd.ToString(CultureInfo.InvariantCulture)] })
        {
            var done = await HostCli.RunAsync(database.DataDirectory, environment, verb);
            Assert.True(done.ExitCode == 0, done.ToString());
        }

        var key = await HostCli.RunAsync(database.DataDirectory, environment, "keys", "create", "--email", email, "--name", name);
        Assert.True(key.ExitCode == 0, key.ToString());
        return key.Stdout.Trim();
    }

    /// <summary>SIGKILL, as the OOM killer or a pulled plug would: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had exited already (killed by an earlier call).
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Resident set size (VmRSS in /proc/PID/status), in bytes.</summary>
    public long ResidentBytes() => ProcStatus("VmRSS:") * 1024;

    /// <summary>Threads of the process (Threads in /proc/PID/status).</summary>
    public long Threads() => ProcStatus("Threads:");

    /// <summary>Open file descriptors (entries of /proc/PID/fd).</summary>
    public int OpenFiles() => Directory.GetFileSystemEntries(string.Create(CultureInfo.InvariantCulture, $"/proc/{_process.Id}/fd")).Length;

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private long ProcStatus(string field)
    {
        var line = File.ReadLines(string.Create(CultureInfo.InvariantCulture, $"/proc/{_process.Id}/status")).First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with {_process.ExitCode} before it was ready:\n{OutputTail}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > ReadyBound)
            {
                throw new TimeoutException($"The host was not ready within {ReadyBound.TotalSeconds} s:\n{OutputTail}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
