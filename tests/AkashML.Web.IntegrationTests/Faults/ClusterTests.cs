using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.IntegrationTests.Nodes;
using Npgsql;
using Xunit.Abstractions;

namespace AkashML.Web.IntegrationTests.Faults;

/// <summary>
/// Four processes on 127.0.0.1: two gateway-role hosts sharing one PostgreSQL and two inference-role nodes behind both.
/// One node is SIGKILLed while streams run through both gateways: every stream either completes or ends with an error
/// event (none hangs or is cut without one), later requests all succeed on the survivor, and every call is recorded and
/// charged once in the shared database. Restarted on its port, the node is taken in again by both gateways' health
/// checks and serves for both.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper output)
{
    private const string Model = "akashml/tiny-random";
    private const int Streams = 12;

    [Theory, PostgresData]
    public async Task Killing_an_inference_node_under_load_ends_its_streams_cleanly_the_survivor_takes_the_traffic_and_the_restarted_node_gets_it_back(DatabaseKind kind)
    {
        await using var shared = await TestDatabase.CreateAsync(kind);
        await using var firstNodeData = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        await using var secondNodeData = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        // Streams long enough to be running when the node dies (the model's default output cap is lower).
        var outputCap = $"Models:Entries:{Model}:MaxOutputTokens";
        var node = new Dictionary<string, string?> { ["Host:Role"] = "inference", ["Nodes:SharedSecret"] = InferenceNodeFixture.Secret, [outputCap] = "4096" };
        var firstPort = HostProcess.FreePort();
        await using var firstNode = await HostProcess.StartAsync(firstNodeData, node, firstPort);
        await using var secondNode = await HostProcess.StartAsync(secondNodeData, node);

        var gateway = new Dictionary<string, string?>
        {
            ["Host:Role"] = "gateway",
            ["Backends:HealthCheck:Interval"] = "00:00:00.250",
            ["Backends:HealthCheck:UnhealthyThreshold"] = "1",
            ["Backends:HealthCheck:HealthyThreshold"] = "2",
            ["Telemetry:Metrics"] = "Anyone",
            [outputCap] = "4096",
        };
        foreach (var (address, i) in new[] { firstNode.Address, secondNode.Address }.Select((a, i) => (a, i)))
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"Backends:Models:{Model}:{i}:");
            gateway[prefix + "Kind"] = "node";
            gateway[prefix + "BaseUrl"] = address.ToString();
            gateway[prefix + "ApiKey"] = InferenceNodeFixture.Secret;
        }

        var key = await HostProcess.CreateFundedKeyAsync(shared, "cluster", usd: 1000);
        // One after the other: the first start creates the key pepper both gateways read from the data directory.
        await using var firstGateway = await HostProcess.StartAsync(shared, gateway);
        await using var secondGateway = await HostProcess.StartAsync(shared, gateway);
        HttpClient Client(HostProcess host)
        {
            var client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromMinutes(2) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return client;
        }

        using var viaFirst = Client(firstGateway);
        using var viaSecond = Client(secondGateway);

        foreach (var client in new[] { viaFirst, viaSecond })
        {
            using var warm = await client.PostAsJsonAsync("v1/chat/completions", Chat("Hello", 2, stream: false));
            Assert.True(warm.StatusCode == HttpStatusCode.OK, $"{(int)warm.StatusCode}: {await warm.Content.ReadAsStringAsync()}");
        }

        // Streams through both gateways; the first node is killed once a few of them have produced output.
        var started = 0;
        var kill = new TaskCompletionSource();
        var streams = Enumerable.Range(0, Streams).Select(i => Task.Run(() => StreamAsync(i % 2 == 0 ? viaFirst : viaSecond, 600, () =>
        {
            if (Interlocked.Increment(ref started) == Streams / 2)
            {
                kill.TrySetResult();
            }
        }))).ToArray();
        await Task.WhenAny(kill.Task, Task.WhenAll(streams)).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(kill.Task.IsCompleted, "the streams ended before half of them had started: " + string.Join("; ", streams.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!.Message).Distinct()));
        await firstNode.KillAsync();
        var outcomes = await Task.WhenAll(streams).WaitAsync(TimeSpan.FromMinutes(3));
        var completed = outcomes.Count(o => o == StreamEnd.Done);
        var failed = outcomes.Count(o => o == StreamEnd.ErrorEvent);
        output.WriteLine($"{completed} streams completed, {failed} ended with an error event, of {Streams}");
        Assert.All(outcomes, o => Assert.NotEqual(StreamEnd.Cut, o));

        // Whatever the health checks have seen yet, new requests all succeed: a dead node fails before the first token,
        // and such a request is retried on the survivor.
        for (var i = 0; i < 10; i++)
        {
            using var response = await (i % 2 == 0 ? viaFirst : viaSecond).PostAsJsonAsync("v1/chat/completions", Chat("After the kill", 8, stream: false));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        // Every call recorded once in the shared database, and the account paid exactly what the records say.
        await using var connection = new NpgsqlConnection(shared.ConnectionString);
        await connection.OpenAsync();
        await using var records = new NpgsqlCommand("""SELECT COUNT(*), COALESCE(SUM("CostMicros"), 0) FROM "UsageRecords" WHERE "ApiKeyId" IS NOT NULL""", connection);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long count, cost;
        while (true)
        {
            await using (var reader = await records.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                (count, cost) = (reader.GetInt64(0), reader.GetInt64(1));
            }

            if (count >= Streams + 10 + 2 || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(Streams + 10 + 2, count);
        await using var open = new NpgsqlCommand("""SELECT COUNT(*) FROM "CreditReservations" WHERE "Status" = 'Open'""", connection);
        Assert.Equal(0L, (long)(await open.ExecuteScalarAsync())!);
        output.WriteLine($"{count} usage records, {cost} micro-dollars charged");

        // The killed node comes back on its port: both gateways' health checks take it in again and send it traffic,
        // as their own /metrics count it.
        await using var restartedNode = await HostProcess.StartAsync(firstNodeData, node, firstPort);
        var gateways = new[] { viaFirst, viaSecond };
        foreach (var client in gateways)
        {
            await UntilAsync(async () => await BackendMetricAsync(client, "akashml_backend_healthy") == 1, "the restarted node healthy again on a gateway");
        }

        var servedBefore = await Task.WhenAll(gateways.Select(c => BackendMetricAsync(c, "akashml_backend_served")));
        for (var round = 0; ; round++)
        {
            var served = await Task.WhenAll(gateways.Select(c => BackendMetricAsync(c, "akashml_backend_served")));
            if (served.Zip(servedBefore).All(s => s.First > s.Second))
            {
                output.WriteLine($"after the restart the node served {served[0] - servedBefore[0]} and {served[1] - servedBefore[1]} requests of the two gateways");
                break;
            }

            Assert.True(round < 10, $"the restarted node served nothing for a gateway in {round} rounds of concurrent requests");
            var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
            {
                using var response = await gateways[i % 2].PostAsJsonAsync("v1/chat/completions", Chat("After the restart", 16, stream: false));
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }));
            Assert.All(responses, r => Assert.True(r.StatusCode == HttpStatusCode.OK, $"{(int)r.StatusCode}: {r.Body}"));
        }
    }

    /// <summary>The value of a per-backend metric of the first backend (the restarted node) in the gateway's /metrics.</summary>
    private static async Task<double> BackendMetricAsync(HttpClient gateway, string name)
    {
        var text = await gateway.GetStringAsync(new Uri("metrics", UriKind.Relative));
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains("backend=\"0\"", StringComparison.Ordinal));
        Assert.True(line is not null, $"no {name} for backend 0 in /metrics:\n{text}");
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out after 60 s waiting for " + what);
            await Task.Delay(100);
        }
    }

    private enum StreamEnd
    {
        Done,
        ErrorEvent,
        Cut,
    }

    private static JsonObject Chat(string text, int maxTokens, bool stream) => new()
    {
        ["model"] = Model,
        ["stream"] = stream,
        ["max_tokens"] = maxTokens,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text }),
    };

    private static async Task<StreamEnd> StreamAsync(HttpClient client, int maxTokens, Action firstChunk)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = JsonContent.Create(Chat("Talk for a while", maxTokens, stream: true)) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var chunks = 0;
        var error = false;
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line == "data: [DONE]")
                {
                    return error ? StreamEnd.ErrorEvent : StreamEnd.Done;
                }

                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    error |= JsonNode.Parse(line["data: ".Length..])!["error"] is not null;
                    if (++chunks == 1)
                    {
                        firstChunk();
                    }
                }
            }
        }
        catch (IOException)
        {
            return StreamEnd.Cut;
        }

        return error ? StreamEnd.ErrorEvent : StreamEnd.Cut;
    }
}
