using System.Diagnostics;

namespace AkashML.Web.IntegrationTests.Cli;

/// <summary>What one run of the host executable printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// Runs the real host executable (AkashML.Web.dll, copied beside these tests through the project reference) as an
/// operator would: <c>dotnet AkashML.Web.dll &lt;verb&gt; … --AkashML:DataDirectory=&lt;temp&gt;</c>, in a temp working
/// folder, with HF_* variables cleared unless given.
/// </summary>
internal static class HostCli
{
    /// <summary>The exit code reported for a run this class killed.</summary>
    public const int KilledExitCode = 137;

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    public static string HostDll { get; } = Path.Combine(AppContext.BaseDirectory, "AkashML.Web.dll");

    public static Task<CliResult> RunAsync(string dataDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        Assert.True(File.Exists(HostDll), $"{HostDll} is missing: the test project must reference AkashML.Web.");
        return RunHostAsync(HostDll, dataDirectory, environment, args);
    }

    public static Task<CliResult> RunAsync(string dataDirectory, params string[] args) => RunAsync(dataDirectory, null, args);

    /// <summary>Runs another build of the host than the one beside these tests (one without the benchmarks).</summary>
    public static Task<CliResult> RunHostAsync(string hostDll, string dataDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        RunHostAsync(hostDll, dataDirectory, environment, killAfter: null, args);

    /// <summary>Runs a verb and, when it is still running after <paramref name="killAfter"/>, kills it (SIGKILL), as a crash or an OOM kill would.</summary>
    public static async Task<CliResult> RunHostAsync(string hostDll, string dataDirectory, IReadOnlyDictionary<string, string?>? environment, TimeSpan? killAfter, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        start.ArgumentList.Add(hostDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--AkashML:DataDirectory=" + dataDirectory);
        start.Environment["HF_ENDPOINT"] = null;
        start.Environment["HF_TOKEN"] = null;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        Directory.CreateDirectory(dataDirectory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(killAfter ?? Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (killAfter is null)
            {
                Assert.Fail($"`{string.Join(' ', args)}` did not finish within {Limit.TotalMinutes} minutes");
            }

            await process.WaitForExitAsync();
            return new CliResult(KilledExitCode, await stdout, await stderr);
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
