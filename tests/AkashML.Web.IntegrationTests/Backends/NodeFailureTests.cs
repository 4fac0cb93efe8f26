using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.IntegrationTests.Nodes;

namespace AkashML.Web.IntegrationTests.Backends;

/// <summary>
/// An inference node that goes away in the middle of a stream (stopped with no time to drain, as a crashed or evicted
/// pod): the gateway's client gets an error event that ends the stream, not a hang or a cut connection, and the call is
/// settled for the tokens that were sent.
/// </summary>
public sealed class NodeFailureTests
{
    [Fact]
    public async Task A_node_lost_mid_stream_ends_the_stream_with_an_error_event_and_charges_the_tokens_sent()
    {
        var node = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Host:Role"] = "inference",
            ["Nodes:SharedSecret"] = InferenceNodeFixture.Secret,
            ["Host:ShutdownTimeout"] = "00:00:00",
        }, realHttp: true);
        ValueTask stopping = default;
        try
        {
            var settings = KeyedHost.Backends(("node", node.RealAddress!.ToString(), InferenceNodeFixture.Secret, 8, 16, true));
            settings["Host:Role"] = "gateway";
            await using var gateway = await KeyedHost.StartAsync(DatabaseKind.Sqlite, settings);
            await KeyedHost.UntilAsync(() => gateway.Pool.Backends[0].Healthy, "the node healthy");
            var balanceBefore = await gateway.BalanceMicrosAsync();
            using var http = gateway.Http();
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
            {
                Content = JsonContent.Create(new JsonObject
                {
                    ["model"] = KeyedHost.Model,
                    ["stream"] = true,
                    ["max_tokens"] = 1500,
                    ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Talk for a long time" }),
                }),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var chunks = 0;
            string? error = null;
            var done = false;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    continue;
                }

                var data = line["data: ".Length..];
                if (data == "[DONE]")
                {
                    done = true;
                    continue;
                }

                var json = JsonNode.Parse(data)!;
                if (json["error"] is { } failure)
                {
                    error = failure["message"]!.GetValue<string>();
                    continue;
                }

                if (++chunks == 3)
                {
                    // The node goes away with the stream running: no drain time.
                    stopping = node.DisposeAsync();
                }
            }

            Assert.NotEqual(default, stopping);
            Assert.False(done, "a stream whose node was lost must not end as if complete");
            Assert.NotNull(error);
            Assert.Contains("node", error, StringComparison.Ordinal);

            var record = await gateway.NextUsageAsync(0);
            Assert.NotEqual("ok", record.Status);
            Assert.InRange(record.CompletionTokens, 1, 1499);
            Assert.True(record.CostMicros > 0);
            Assert.Equal(balanceBefore - record.CostMicros, await gateway.BalanceMicrosAsync());
        }
        finally
        {
            if (stopping == default)
            {
                await node.DisposeAsync();
            }
            else
            {
                await stopping;
            }
        }
    }
}
