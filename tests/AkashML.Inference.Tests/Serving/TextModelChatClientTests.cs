using AkashML.Inference.Serving;
using Microsoft.Extensions.AI;

namespace AkashML.Inference.Tests.Serving;

public sealed class TextModelChatClientTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public async Task Streaming_ends_with_token_usage_and_matches_the_whole_response()
    {
        using IChatClient client = new TextModelChatClient(fixture.Model);
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 12 };
        var messages = new[] { new ChatMessage(ChatRole.User, "Say something") };
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options))
        {
            updates.Add(update);
        }

        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal(12, usage.OutputTokenCount);
        Assert.True(usage.InputTokenCount > 3);
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);

        var response = await client.GetResponseAsync(messages, options);
        Assert.Equal(string.Concat(updates.Select(u => u.Text)), response.Text);
        Assert.Equal(usage.OutputTokenCount, response.Usage!.OutputTokenCount);
        Assert.Equal(fixture.Model.Descriptor.Id, client.GetService<ChatClientMetadata>()!.DefaultModelId);
    }
}
