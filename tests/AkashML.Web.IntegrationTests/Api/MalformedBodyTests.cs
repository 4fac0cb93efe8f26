using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Web.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace AkashML.Web.IntegrationTests.Api;

/// <summary>
/// Bad input as an attacker sends it, against every public POST route: a seeded generator of malformed bodies (broken and
/// truncated JSON, wrong types, huge and odd numbers, lone surrogates and invalid UTF-8, deep nesting, duplicate and
/// unknown keys, odd messages and tools). Whatever arrives, the answer is a 4xx in the route's error shape that says
/// what is wrong, never a 5xx and never a hang. Bounded in count and time. The host serves in its own process
/// (<see cref="HostProcess"/>) and the cases run twice: its resident memory must stay flat from the first pass to the
/// second, as a host that keeps nothing per bad request does.
/// </summary>
public sealed class MalformedBodyTests(ITestOutputHelper output)
{
    private const int CasesPerRoute = 120;

    // Room for the GC's own swings (server GC sizes its heaps to the load), far below what keeping each bad body would add.
    private const long ResidentGrowthTolerance = 64L * 1024 * 1024;

    private static readonly string[] Routes = ["v1/completions", "v1/chat/completions", "anthropic/v1/messages", "anthropic/v1/messages/count_tokens", "tokenize"];

    [Fact]
    public async Task No_malformed_body_gets_a_server_error_and_the_host_memory_stays_flat()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var key = await HostProcess.CreateFundedKeyAsync(database, "fuzz", usd: 100);
        await using var host = await HostProcess.StartAsync(database);
        using var http = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var before = host.ResidentBytes();
        var failures = new List<string>();
        var messages = new HashSet<string>(StringComparer.Ordinal);
        var tried = 0;
        var slowest = TimeSpan.Zero;
        var afterPass = new long[2];
        for (var pass = 0; pass < afterPass.Length; pass++)
        {
            foreach (var route in Routes)
            {
                var random = new Random(route.Length * 7919);
                for (var i = 0; i < CasesPerRoute; i++)
                {
                    var body = MalformedBodies.Next(random, route, i);
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new("application/json");
                    var started = Stopwatch.GetTimestamp();
                    using var response = await http.PostAsync(route, content);
                    var text = await response.Content.ReadAsStringAsync();
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    slowest = elapsed > slowest ? elapsed : slowest;
                    tried++;
                    var status = (int)response.StatusCode;
                    var message = ErrorMessage(route, text);
                    if (status >= 500 || (status >= 400 && message is null))
                    {
                        failures.Add($"{route} #{i} -> {status}: {Preview(body)} => {Preview(Encoding.UTF8.GetBytes(text))}");
                    }

                    if (message is not null)
                    {
                        messages.Add(message);
                    }
                }
            }

            afterPass[pass] = host.ResidentBytes();
        }

        output.WriteLine($"{tried} cases, {messages.Count} distinct error messages, slowest answer {slowest.TotalMilliseconds:0} ms, "
            + $"host resident memory before / after each pass {string.Join(" / ", afterPass.Prepend(before).Select(b => (b / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} MiB");
        Assert.Equal(afterPass.Length * Routes.Length * CasesPerRoute, tried);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        Assert.True(messages.Count > 20, "the errors should say what is wrong, case by case: " + string.Join(" | ", messages));
        Assert.True(afterPass[1] - afterPass[0] < ResidentGrowthTolerance,
            $"the host grew by {(afterPass[1] - afterPass[0]) / 1048576.0:0.0} MiB from the first pass to the second");
    }

    /// <summary>The error's message in the route's shape, or null when the body is not such an error.</summary>
    private static string? ErrorMessage(string route, string text)
    {
        try
        {
            var json = JsonNode.Parse(text);
            var message = route.StartsWith("anthropic", StringComparison.Ordinal)
                ? json?["type"]?.GetValue<string>() == "error" ? json["error"]?["message"] : null
                : json?["error"]?["message"];
            return message?.GetValue<string>();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Preview(byte[] bytes) =>
        bytes.Length <= 160 ? Encoding.UTF8.GetString(bytes) : Encoding.UTF8.GetString(bytes, 0, 160) + $"… ({bytes.Length} bytes)";
}
