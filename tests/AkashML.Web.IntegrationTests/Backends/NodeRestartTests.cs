using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.IntegrationTests.Nodes;
using Xunit.Abstractions;

namespace AkashML.Web.IntegrationTests.Backends;

/// <summary>
/// A gateway with two inference nodes, each its own process on a port picked up front. One node is SIGKILLed under load:
/// the health check marks it down and every request sent after that succeeds on the survivor. The node is started again
/// on the same port: once the active health check has seen it healthy <c>HealthyThreshold</c> times in a row it takes
/// requests again, as the pool's served count for it shows.
/// </summary>
public sealed class NodeRestartTests(ITestOutputHelper output)
{
    private const int Workers = 4;

    [Fact]
    public async Task A_killed_node_is_routed_around_and_takes_traffic_again_once_restarted_on_its_port()
    {
        await using var firstData = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        await using var secondData = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var node = new Dictionary<string, string?> { ["Host:Role"] = "inference", ["Nodes:SharedSecret"] = InferenceNodeFixture.Secret };
        var firstPort = HostProcess.FreePort();
        var first = await HostProcess.StartAsync(firstData, node, firstPort);
        try
        {
            await using var second = await HostProcess.StartAsync(secondData, node);
            var settings = KeyedHost.Backends(
                ("node", first.Address.ToString(), InferenceNodeFixture.Secret, 8, 16, true),
                ("node", second.Address.ToString(), InferenceNodeFixture.Secret, 8, 16, true));
            settings["Host:Role"] = "gateway";
            settings["Backends:HealthCheck:HealthyThreshold"] = "2";
            await using var gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite, settings);
            await KeyedHost.UntilAsync(() => gateway.Pool.Backends.All(b => b.Healthy), "both nodes healthy at start");
            var restarted = gateway.Pool.Backends[0];
            using var http = gateway.Http();

            // Load through the gateway while the first node is killed; each outcome notes whether the dead node had
            // already been marked down when the request was sent.
            using var stop = new CancellationTokenSource();
            var answered = 0;
            var outcomes = new ConcurrentBag<(bool AfterMarkedDown, HttpStatusCode Status, string Body)>();
            var markedDown = false;
            var load = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var after = Volatile.Read(ref markedDown);
                    using var response = await http.PostAsJsonAsync("v1/chat/completions", Chat($"Load {w}", 8));
                    outcomes.Add((after, response.StatusCode, await response.Content.ReadAsStringAsync()));
                    Interlocked.Increment(ref answered);
                }
            })).ToArray();

            await KeyedHost.UntilAsync(() => Volatile.Read(ref answered) >= 2 * Workers || load.Any(t => t.IsFaulted), "requests answered before the kill");
            await first.KillAsync();
            await KeyedHost.UntilAsync(() => !restarted.Healthy || load.Any(t => t.IsFaulted), "the killed node marked unhealthy");
            Volatile.Write(ref markedDown, true);
            var answeredAtMark = Volatile.Read(ref answered);
            await KeyedHost.UntilAsync(() => Volatile.Read(ref answered) >= answeredAtMark + 4 * Workers || load.Any(t => t.IsFaulted), "requests answered by the survivor");
            await stop.CancelAsync();
            await Task.WhenAll(load);

            var afterMark = outcomes.Where(o => o.AfterMarkedDown).ToList();
            output.WriteLine($"{outcomes.Count} requests under load, {afterMark.Count} sent after the node was marked down, {outcomes.Count(o => o.Status != HttpStatusCode.OK)} not 200: "
                + string.Join("; ", outcomes.Where(o => o.Status != HttpStatusCode.OK).Select(o => $"{(int)o.Status} {o.Body}")));
            // A request on the node at the moment it died may fail (it had started there); never with a 500.
            Assert.All(outcomes, o => Assert.True(o.Status != HttpStatusCode.InternalServerError, $"{(int)o.Status}: {o.Body}"));
            Assert.NotEmpty(afterMark);
            Assert.All(afterMark, o => Assert.True(o.Status == HttpStatusCode.OK, $"after the mark: {(int)o.Status}: {o.Body}"));
            Assert.False(restarted.Healthy, "the killed node came back healthy before it was restarted: " + restarted.LastError);

            // The same node again, on the same port and data directory.
            first = await HostProcess.StartAsync(firstData, node, firstPort);
            Assert.Equal(firstPort, first.Address.Port);
            await KeyedHost.UntilAsync(() => restarted.Healthy, $"the restarted node healthy again (last error: {restarted.LastError})");
            var servedBefore = restarted.Served;

            // Concurrent requests spread by least outstanding load, so the restarted node gets some of each round.
            for (var round = 0; restarted.Served == servedBefore; round++)
            {
                Assert.True(round < 10, $"the restarted node served nothing in {round} rounds of {Workers} concurrent requests");
                var responses = await Task.WhenAll(Enumerable.Range(0, Workers).Select(async i =>
                {
                    using var response = await http.PostAsJsonAsync("v1/chat/completions", Chat($"After the restart {i}", 16));
                    return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
                }));
                Assert.All(responses, r => Assert.True(r.StatusCode == HttpStatusCode.OK, $"{(int)r.StatusCode}: {r.Body}"));
            }

            Assert.True(restarted.Healthy);
            output.WriteLine($"restarted node served {restarted.Served - servedBefore} requests after coming back");
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    private static JsonObject Chat(string text, int maxTokens) => new()
    {
        ["model"] = KeyedHost.Model,
        ["max_tokens"] = maxTokens,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text }),
    };
}
