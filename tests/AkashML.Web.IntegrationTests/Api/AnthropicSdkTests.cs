using System.Text;
using System.Text.Json;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;

namespace AkashML.Web.IntegrationTests.Api;

public sealed class AnthropicSdkTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private const string ClaudeCodeStyleId = "akashml--tiny-random";

    [Fact]
    public async Task A_message_comes_back_with_text_usage_and_the_max_tokens_stop_reason()
    {
        var message = await fixture.Anthropic().Messages.Create(new MessageCreateParams
        {
            Model = ApiHostFixture.Model,
            MaxTokens = 6,
            Messages = [new MessageParam(new UserMessageParam("Write a haiku"), null)],
        }, CancellationToken.None);

        Assert.StartsWith("msg_", message.ID, StringComparison.Ordinal);
        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.False(string.IsNullOrEmpty(text!.Text));
        Assert.Equal(6, message.Usage.OutputTokens);
        Assert.True(message.Usage.InputTokens > 3);
        Assert.Equal("max_tokens", message.StopReason!.Raw());
    }

    [Fact]
    public async Task Streaming_follows_anthropics_event_order_and_matches_the_whole_message()
    {
        var parameters = new MessageCreateParams
        {
            Model = ClaudeCodeStyleId,
            MaxTokens = 8,
            System = new MessageCreateParamsSystem("You are terse.", null),
            Messages =
            [
                new MessageParam(new SystemMessageParam(new SystemMessageParamContent("Claude Code puts a system message here too.", null)), null),
                new MessageParam(new UserMessageParam("Name a colour"), null),
            ],
        };
        var order = new List<string>();
        var text = new StringBuilder();
        long? outputTokens = null;
        await foreach (var streamed in fixture.Anthropic().Messages.CreateStreaming(parameters, CancellationToken.None))
        {
            order.Add(streamed.Type.Raw());
            if (streamed.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickText(out var textDelta))
            {
                text.Append(textDelta!.Text);
            }

            if (streamed.TryPickDelta(out var messageDelta))
            {
                outputTokens = messageDelta!.Usage.OutputTokens;
            }
        }

        Assert.Equal("message_start", order[0]);
        Assert.Equal("content_block_start", order[1]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], order[^3..]);
        Assert.All(order[2..^3], e => Assert.Equal("content_block_delta", e));
        Assert.Equal(8, outputTokens);
        Assert.False(string.IsNullOrEmpty(text.ToString()));
    }

    [Fact]
    public async Task Tokens_are_counted_like_the_prompt_of_a_message()
    {
        var count = await fixture.Anthropic().Messages.CountTokens(new MessageCountTokensParams
        {
            Model = ApiHostFixture.Model,
            Messages = [new MessageParam(new UserMessageParam("How many tokens is this?"), null)],
        }, CancellationToken.None);
        var message = await fixture.Anthropic().Messages.Create(new MessageCreateParams
        {
            Model = ApiHostFixture.Model,
            MaxTokens = 1,
            Messages = [new MessageParam(new UserMessageParam("How many tokens is this?"), null)],
        }, CancellationToken.None);
        Assert.Equal(message.Usage.InputTokens, count.InputTokens);
    }

    [Fact]
    public async Task The_model_list_offers_a_slash_free_alias()
    {
        using var http = fixture.Http();
        using var json = JsonDocument.Parse(await http.GetStringAsync("anthropic/v1/models"));
        var ids = json.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains(ApiHostFixture.Model, ids);
        Assert.Contains(ClaudeCodeStyleId, ids);
        Assert.All(json.RootElement.GetProperty("data").EnumerateArray(), m => Assert.Equal("model", m.GetProperty("type").GetString()));
        Assert.False(json.RootElement.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids[0], json.RootElement.GetProperty("first_id").GetString());
    }

    [Fact]
    public async Task A_wrong_key_is_an_authentication_error()
    {
        var error = await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => fixture.Anthropic("akml-" + new string('y', 43)).Messages.Create(new MessageCreateParams
        {
            Model = ApiHostFixture.Model,
            MaxTokens = 1,
            Messages = [new MessageParam(new UserMessageParam("hi"), null)],
        }, CancellationToken.None));
        Assert.Contains("authentication_error", error.ResponseBody, StringComparison.Ordinal);
    }
}
