using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace AkashML.E2E.Infrastructure;

/// <summary>
/// The real AkashML host as a child process (<c>dotnet AkashML.Web.dll</c>) on a free 127.0.0.1 port chosen by Kestrel,
/// over SQLite in a temporary data directory. Its output is kept for failure messages.
/// </summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IReadOnlyDictionary<string, string> _environment;
    private bool _ownsDataDirectory = true;

    private HostProcess(Process process, string dataDirectory, IReadOnlyDictionary<string, string> environment)
    {
        _process = process;
        DataDirectory = dataDirectory;
        _environment = environment;
    }

    public Uri BaseAddress { get; private set; } = default!;

    public string DataDirectory { get; }

    /// <summary>The host's process id (for memory readings).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Everything the host wrote so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="prepare">Runs on the fresh data directory before the host starts (e.g. to add models).</param>
    /// <param name="environment">Extra settings for the host (environment variables, <c>__</c> for sections).</param>
    /// <param name="port">A fixed port (see <see cref="FreePort"/>) for hosts whose settings name their own address; 0 lets Kestrel choose.</param>
    public static async Task<HostProcess> StartAsync(Func<string, Task>? prepare = null, IReadOnlyDictionary<string, string>? environment = null, int port = 0)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "AkashML.Web.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("The host is not next to the tests; build e2e/AkashML.E2E (it references AkashML.Web).", dll);
        }

        var dataDirectory = Path.Combine(Path.GetTempPath(), "akashml-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        if (prepare is not null)
        {
            await prepare(dataDirectory);
        }

        return await LaunchAsync(dll, dataDirectory, environment ?? new Dictionary<string, string>(), port);
    }

    /// <summary>
    /// Kills the host without warning (SIGKILL to its process tree: no shutdown code runs, as in a power cut or an OOM
    /// kill), then starts a new one over the same data directory and settings. The new host owns the directory.
    /// </summary>
    /// <param name="samePort">Listen where the old host did, so open pages can find the new one.</param>
    public async Task<HostProcess> CrashAndRestartAsync(bool samePort = false)
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(StartTimeout);
        _ownsDataDirectory = false;
        return await LaunchAsync(Path.Combine(AppContext.BaseDirectory, "AkashML.Web.dll"), DataDirectory, _environment, port: samePort ? BaseAddress.Port : 0);
    }

    private static async Task<HostProcess> LaunchAsync(string dll, string dataDirectory, IReadOnlyDictionary<string, string> environment, int port)
    {
        var start = Start(dll, dataDirectory);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new HostProcess(process, dataDirectory, environment);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data);
        process.Exited += (_, _) => host._listening.TrySetException(new InvalidOperationException("The host exited during start:\n" + host.Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            host.BaseAddress = await host._listening.Task.WaitAsync(StartTimeout);
            await host.WaitUntilHealthyAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs an ops CLI verb (e.g. <c>credits grant</c>) against this host's data directory; returns its output or throws with it.</summary>
    public async Task<string> RunVerbAsync(params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = Start(Path.Combine(AppContext.BaseDirectory, "AkashML.Web.dll"), DataDirectory);
        // The same settings as the host, so the verb opens the same database.
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(StartTimeout);
        var text = await output + await errors;
        return process.ExitCode == 0 ? text : throw new InvalidOperationException($"'{string.Join(' ', arguments)}' exited with {process.ExitCode}: {text}");
    }

    private static ProcessStartInfo Start(string dll, string dataDirectory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The account flows read their links from the dev outbox, which Production serves only when allowed.
        start.Environment["Email__DevOutboxInProduction"] = "true";
        start.Environment["AkashML__DataDirectory"] = dataDirectory;
        // Whatever the surrounding environment says, this host runs on embedded SQLite and offers no external providers.
        start.Environment["ConnectionStrings__Postgres"] = "";
        start.Environment["Logging__LogLevel__Default"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        return start;
    }

    /// <summary>A loopback port free right now (the host binds it a moment later).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (Listening().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups["url"].Value + "/"));
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("healthz", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not accepting connections yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The host did not become healthy:\n" + Output);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();

        // scripts/test.sh scans every host's log of the run for API key secrets.
        if (Environment.GetEnvironmentVariable("AKASHML_HOST_LOG_DIR") is { Length: > 0 } logs)
        {
            Directory.CreateDirectory(logs);
            await File.WriteAllTextAsync(Path.Combine(logs, $"e2e-host-{Guid.NewGuid():N}.log"), Output);
        }

        if (!_ownsDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
