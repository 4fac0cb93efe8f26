using System.Diagnostics;
using System.Text.Json;
using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Tests.Building;

namespace AkashML.Bench.Tests.Cli;

/// <summary>
/// <c>bench claude-code</c> end to end: the bench executable (the host with the benchmarks) serving the tiny model, and
/// the real Claude Code CLI that scripts/test.sh installs sending its own request twice.
/// </summary>
public sealed class ClaudeCodeBenchTests : IDisposable
{
    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Reports_both_turns_of_claude_codes_real_request_and_the_second_reads_the_first_ones_prefix_from_the_cache()
    {
        var models = _scratch.Combine("models");
        await TinyRandomModel.BuildAsync(Path.Combine(models, "akashml", "tiny-random"), CancellationToken.None);

        var (exitCode, stdout, stderr) = await RunBenchAsync(
            "bench", "claude-code", "--model", TinyRandomModel.Id, "--json",
            "--Models:Directory=" + models,
            // A random model rarely ends its answer on its own: keep each turn's answer short.
            $"--Models:Entries:{TinyRandomModel.Id}:MaxOutputTokens=8",
            "--AkashML:DataDirectory=" + _scratch.Combine("data"));
        Assert.True(exitCode == 0, $"exit {exitCode}\nstdout: {stdout}\nstderr: {stderr}");

        using var report = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last());
        var root = report.RootElement;
        Assert.Equal(TinyRandomModel.Id, root.GetProperty("model").GetString());
        var turns = root.GetProperty("turns").EnumerateArray().ToArray();
        Assert.Equal(2, turns.Length);
        foreach (var turn in turns)
        {
            Assert.True(turn.GetProperty("requests").GetInt32() >= 1, turn.ToString());
            // Claude Code's own system prompt and tools: thousands of tokens, not a made-up prompt.
            Assert.True(turn.GetProperty("prompt_tokens").GetInt32() > 2000, turn.ToString());
            Assert.True(turn.GetProperty("ttft_ms").GetInt32() >= 0 && turn.GetProperty("cli_ms").GetDouble() > 0, turn.ToString());
        }

        var second = turns[1];
        var cached = second.GetProperty("cached_tokens").GetInt32();
        Assert.True(cached > 0 && cached <= second.GetProperty("prompt_tokens").GetInt32(), second.ToString());
        Assert.True(root.GetProperty("ttft_second_to_first").GetDouble() >= 0);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunBenchAsync(params string[] args)
    {
        var bench = Path.Combine(AppContext.BaseDirectory, "AkashML.Bench.dll");
        Assert.True(File.Exists(bench), $"{bench} is missing: the test project must reference AkashML.Bench.");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(bench);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("bench claude-code did not finish within 8 minutes: " + await stderr);
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
