using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.E2E.Infrastructure;
using AkashML.Web.IntegrationTests.Infrastructure;

namespace AkashML.E2E;

/// <summary>
/// The host process is killed (SIGKILL) while a streamed completion holds credits; the restarted host over the same
/// database releases that hold, charges nothing for the lost request, and bills the next one normally.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncDisposable
{
    private HostProcess? _host;
    private TestDatabase? _database;

    [Theory, SqliteData, PostgresData]
    public async Task A_killed_host_releases_the_hold_of_the_request_it_was_serving_when_it_restarts(DatabaseKind kind)
    {
        _database = await TestDatabase.CreateAsync(kind);
        var environment = new Dictionary<string, string>
        {
            // Long enough that the stream is still running when the process dies.
            ["Models__Entries__akashml/tiny-random__MaxOutputTokens"] = "8192",
        };
        if (_database.ConnectionString is { } connectionString)
        {
            environment["ConnectionStrings__Postgres"] = connectionString;
        }

        _host = await HostProcess.StartAsync(environment: environment);
        var email = Accounts.NewEmail("crash");
        await _host.RunVerbAsync("users", "create", "--email", email, "--password", Accounts.Password);
        await _host.RunVerbAsync("credits", "grant", "--email", email, "--usd", "5");
        var key = SecretIn(await _host.RunVerbAsync("keys", "create", "--email", email, "--name", "crash-test"));

        using (var client = Client(_host, key))
        using (var request = ChatRequest(stream: true, maxTokens: 8000))
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            // (The body is read only on failure: reading it here would wait for the whole stream.)
            Assert.True(response.IsSuccessStatusCode, response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync());
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var chunks = 0;
            while (chunks < 5 && await reader.ReadLineAsync() is { } line)
            {
                chunks += line.StartsWith("data: {", StringComparison.Ordinal) ? 1 : 0;
            }

            Assert.Equal(5, chunks);
            var during = await BalanceAsync(_host, email);
            Assert.True(during.HeldMicros > 0, "the streaming request holds credits");

            _host = await _host.CrashAndRestartAsync();
        }

        var after = await BalanceAsync(_host, email);
        Assert.Equal(0, after.HeldMicros);
        Assert.Equal(5_000_000, after.UsableMicros);
        Assert.Contains("Released stale reservation", _host.Output, StringComparison.Ordinal);

        // The restarted host serves and bills as before.
        using (var client = Client(_host, key))
        using (var request = ChatRequest(stream: false, maxTokens: 8))
        using (var response = await client.SendAsync(request))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            Assert.True(JsonNode.Parse(body)!["usage"]!["completion_tokens"]!.GetValue<int>() > 0, body);
        }

        var billed = await BalanceAsync(_host, email);
        Assert.Equal(0, billed.HeldMicros);
        Assert.InRange(billed.UsableMicros, 1, 4_999_999);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private static HttpClient Client(HostProcess host, string key)
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static HttpRequestMessage ChatRequest(bool stream, int maxTokens) =>
        new(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent(new JsonObject
            {
                ["model"] = "akashml/tiny-random",
                ["stream"] = stream,
                ["max_tokens"] = maxTokens,
                ["temperature"] = 1.0,
                // Sixteen choices of kilobytes per token: far more than socket buffers hold, so once this client stops
                // reading, the server's stream waits with its hold open instead of finishing.
                ["n"] = stream ? 16 : 1,
                ["logprobs"] = stream,
                ["top_logprobs"] = stream ? 20 : null,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Tell me a very long story." }),
            }.ToJsonString(), Encoding.UTF8, "application/json"),
        };

    private static string SecretIn(string output) =>
        output.Split('\n', StringSplitOptions.TrimEntries).Single(line => line.StartsWith("akml-", StringComparison.Ordinal));

    /// <summary>The first two lines of <c>credits show</c>: usable USD, then "held by requests in flight: USD".</summary>
    private static async Task<(long UsableMicros, long HeldMicros)> BalanceAsync(HostProcess host, string email)
    {
        var lines = (await host.RunVerbAsync("credits", "show", "--email", email)).Split('\n', StringSplitOptions.TrimEntries);
        var usable = lines.First(line => line.Length > 0 && char.IsAsciiDigit(line[0]));
        var held = lines.First(line => line.StartsWith("held by requests in flight: ", StringComparison.Ordinal))["held by requests in flight: ".Length..];
        return (Micros(usable), Micros(held));
    }

    private static long Micros(string usd) =>
        (long)Math.Round(decimal.Parse(usd, NumberStyles.Number, CultureInfo.InvariantCulture) * 1_000_000m);
}
