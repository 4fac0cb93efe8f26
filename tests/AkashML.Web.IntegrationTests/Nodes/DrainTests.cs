using AkashML.Inference.Serving;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Nodes;

/// <summary>A node told to stop (SIGTERM in a pod) lets a stream that is running finish within Host:ShutdownTimeout.</summary>
public sealed class DrainTests
{
    [Fact]
    public async Task Stopping_an_inference_node_lets_its_running_stream_finish()
    {
        var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Host:Role"] = "inference",
            ["Nodes:SharedSecret"] = InferenceNodeFixture.Secret,
            ["Host:ShutdownTimeout"] = "00:02:00",
        }, realHttp: true);
        ValueTask stopping = default;
        try
        {
            using var http = new HttpClient { BaseAddress = host.RealAddress, Timeout = TimeSpan.FromMinutes(3) };
            var descriptor = host.Services.GetRequiredService<IModelProvider>().Find(InferenceNodeFixture.Model)!;
            var node = new NodeTextModel(http, host.RealAddress!, InferenceNodeFixture.Secret, descriptor, ChatPrompt.FromDirectory(descriptor.Path));
            var bias = new[] { "<|end_of_text|>", "<|im_end|>", "<|endoftext|>" }
                .Select(t => node.Tokenizer.TokenToId(t)).OfType<int>().Distinct().ToDictionary(id => id, _ => -100.0);
            var request = new GenerationRequest { PromptTokens = node.EncodePrompt("go", false), MaxNewTokens = 1500, LogitBias = bias };

            var tokens = 0;
            FinishReason? finish = null;
            await foreach (var update in node.GenerateAsync(request, CancellationToken.None))
            {
                if (tokens == 0 && update.TokenIds.Count > 0)
                {
                    // The host stops while the stream runs: no new connections, but this one goes on to its end.
                    stopping = host.DisposeAsync();
                }

                tokens += update.TokenIds.Count;
                finish = update.FinishReason ?? finish;
            }

            Assert.NotEqual(default, stopping);
            Assert.Equal(1500, tokens);
            Assert.Equal(FinishReason.Length, finish);
            Assert.Equal(1500, node.LastUsage?.CompletionTokens);
        }
        finally
        {
            if (stopping == default)
            {
                await host.DisposeAsync();
            }
            else
            {
                await stopping;
            }
        }
    }
}
