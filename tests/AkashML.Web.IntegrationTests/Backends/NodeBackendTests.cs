using System.Text;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.IntegrationTests.Nodes;
using OpenAI.Chat;

namespace AkashML.Web.IntegrationTests.Backends;

/// <summary>
/// A gateway-role host (no local models) routing a model to two inference-role hosts over the node protocol, called with
/// the official OpenAI SDK: both nodes serve, answers and usage are the gateway's own count, and when a node stops the
/// survivor takes every request while the stopped one is marked unhealthy.
/// </summary>
public sealed class NodeBackendTests
{
    [Theory, SqliteData, PostgresData]
    public async Task A_gateway_routes_to_two_inference_nodes_and_keeps_serving_when_one_stops(DatabaseKind kind)
    {
        var first = new InferenceNodeFixture();
        var second = new InferenceNodeFixture();
        await first.InitializeAsync();
        await second.InitializeAsync();
        var firstStopped = false;
        try
        {
            var settings = KeyedHost.Backends(
                ("node", first.BaseAddress.ToString(), InferenceNodeFixture.Secret, 8, 16, true),
                ("node", second.BaseAddress.ToString(), InferenceNodeFixture.Secret, 8, 16, true));
            settings["Host:Role"] = "gateway";
            await using var gateway = await KeyedHost.StartAsync(kind, settings);
            var chat = gateway.OpenAi().GetChatClient(KeyedHost.Model);
            await KeyedHost.UntilAsync(() => gateway.Pool.Backends.All(b => b.Healthy), "both nodes healthy");

            // Concurrent calls spread over both nodes (least outstanding requests). Seeded: unseeded sampling on the tiny
            // model's small vocabulary picks an end-of-text token now and then, which ends an answer early.
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
                chat.CompleteChatAsync([new UserChatMessage($"Node request {i}")], Seeded(24, i))));
            Assert.All(answers, a => Assert.Equal(24, a.Value.Usage.OutputTokenCount));
            Assert.All(gateway.Pool.Backends, b => Assert.True(b.Served > 0, $"{b.Target} served nothing"));

            var streamed = new StringBuilder();
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream through a node")], Seeded(12, 100)))
            {
                foreach (var part in update.ContentUpdate)
                {
                    streamed.Append(part.Text);
                }
            }

            Assert.NotEqual(0, streamed.Length);
            var record = await gateway.NextUsageAsync(0);
            Assert.Equal("ok", record.Status);
            Assert.True(record.CostMicros > 0);

            // One node stops: every request still succeeds, on the survivor, and the stopped node is marked down.
            firstStopped = true;
            await first.DisposeAsync();
            for (var i = 0; i < 6; i++)
            {
                var answer = (await chat.CompleteChatAsync([new UserChatMessage($"After the stop {i}")], Seeded(4, 200 + i))).Value;
                Assert.Equal(4, answer.Usage.OutputTokenCount);
            }

            await KeyedHost.UntilAsync(() => !gateway.Pool.Backends[0].Healthy, "the stopped node marked unhealthy");
            Assert.True(gateway.Pool.Backends[1].Healthy);
        }
        finally
        {
            if (!firstStopped)
            {
                await first.DisposeAsync();
            }

            await second.DisposeAsync();
        }
    }

#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
    private static ChatCompletionOptions Seeded(int maxTokens, int seed) => new() { MaxOutputTokenCount = maxTokens, Seed = seed };
#pragma warning restore OPENAI001
}
