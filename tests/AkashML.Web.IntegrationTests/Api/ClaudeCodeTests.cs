using System.Diagnostics;
using System.Text.Json;

namespace AkashML.Web.IntegrationTests.Api;

/// <summary>
/// Runs the real Claude Code CLI (npm <c>@anthropic-ai/claude-code</c>, installed by scripts/test.sh into
/// tests/reference) in print mode against the Anthropic-compatible API with the offline model.
/// </summary>
public sealed class ClaudeCodeTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    [Fact]
    public async Task Claude_code_gets_an_answer_with_an_api_key()
    {
        var result = await RunAsync(new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = fixture.ApiKey });
        Assert.False(result.GetProperty("is_error").GetBoolean(), result.ToString());
        Assert.Equal("success", result.GetProperty("subtype").GetString());
    }

    [Fact]
    public async Task Claude_code_gets_an_answer_with_a_bearer_token()
    {
        var result = await RunAsync(new Dictionary<string, string> { ["ANTHROPIC_AUTH_TOKEN"] = fixture.ApiKey });
        Assert.False(result.GetProperty("is_error").GetBoolean(), result.ToString());
    }

    [Fact]
    public async Task Claude_code_stops_with_401_on_a_wrong_key()
    {
        var result = await RunAsync(new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "akml-" + new string('z', 43) });
        Assert.True(result.GetProperty("is_error").GetBoolean());
        Assert.Equal(401, result.GetProperty("api_error_status").GetInt32());
    }

    private async Task<JsonElement> RunAsync(Dictionary<string, string> credentials)
    {
        var claude = ClaudeCodeLocator.Find();
        if (claude is null)
        {
            Assert.Fail("Claude Code is not installed: run `npm ci --prefix tests/reference` (scripts/test.sh does).");
        }

        var home = Directory.CreateTempSubdirectory("akashml-claude-home-");
        try
        {
            var start = new ProcessStartInfo(claude, ["-p", "Say hello in five words.", "--output-format", "json"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = home.FullName,
            };
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ANTHROPIC_", StringComparison.Ordinal) || k.StartsWith("CLAUDE", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(name);
            }

            start.Environment["HOME"] = home.FullName;
            start.Environment["ANTHROPIC_BASE_URL"] = new Uri(fixture.BaseAddress, "anthropic").ToString().TrimEnd('/');
            start.Environment["ANTHROPIC_MODEL"] = "akashml--tiny-random";
            start.Environment["DISABLE_TELEMETRY"] = "1";
            start.Environment["DISABLE_AUTOUPDATER"] = "1";
            start.Environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
            start.Environment["CLAUDE_CODE_MAX_RETRIES"] = "1";
            foreach (var (name, value) in credentials)
            {
                start.Environment[name] = value;
            }

            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("Claude Code did not finish within 180 s: " + await errors);
            }

            var text = await output;
            var json = text.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
            Assert.True(json is not null, $"no JSON result from Claude Code (exit {process.ExitCode}): {text} {await errors}");
            return JsonDocument.Parse(json!).RootElement.Clone();
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }
}

/// <summary>Finds the Claude Code CLI that tests/reference installs.</summary>
internal static class ClaudeCodeLocator
{
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("AKASHML_CLAUDE_CODE") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "reference", "node_modules", ".bin", "claude");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
