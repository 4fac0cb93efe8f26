using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Data.Usage;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Anthropic;
using Anthropic.Models.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using MessageUsage = Anthropic.Models.Messages.Usage;

namespace AkashML.Web.IntegrationTests.Api;

/// <summary>
/// The prefix cache as callers see it, with the official SDKs, on SQLite and PostgreSQL: a second request with the same
/// long prompt reports the reused tokens (<c>prompt_tokens_details.cached_tokens</c>, <c>cache_read_input_tokens</c>),
/// its usage record keeps them, and it is charged them at the cached-input price, to the micro-dollar. Anthropic's
/// <c>cache_control</c> markers are accepted anywhere Claude Code puts them.
/// </summary>
public sealed class PrefixCacheTests
{
    private const int Block = 16;

    // The smoke-test model's default prices: input $0.10, output $0.20 and cached input 10 % of input, per million tokens.
    private const decimal Input = 0.10m;
    private const decimal Output = 0.20m;
    private const decimal CachedInput = 0.01m;

    [Theory, SqliteData, PostgresData]
    public async Task A_repeated_long_prompt_reports_its_cached_tokens_and_is_charged_them_at_the_cached_price(DatabaseKind kind)
    {
        await using var host = await AkashWebHost.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Inference:PrefixCache:BlockTokens"] = Block.ToString(CultureInfo.InvariantCulture),
        }, realHttp: true);
        var (userId, secret) = await NewAccountAsync(host);
        var chat = SdkClients.OpenAi(host.RealAddress!, secret)
            .GetChatClient(ApiHostFixture.Model);
        var question = LongText("openai");
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 4, Temperature = 0 };

        var first = (await chat.CompleteChatAsync([new UserChatMessage(question)], options)).Value;
        var prompt = first.Usage.InputTokenCount;
        Assert.True(prompt > 10 * Block, $"the prompt has {prompt} tokens");
        Assert.Equal(0, first.Usage.InputTokenDetails.CachedTokenCount);

        // The same prompt again: every whole block but the one holding its last token comes from the cache.
        var cached = (prompt - 1) / Block * Block;
        var before = await BalanceAsync(host, userId);
        var second = (await chat.CompleteChatAsync([new UserChatMessage(question)], options)).Value;
        Assert.Equal(prompt, second.Usage.InputTokenCount);
        Assert.Equal(cached, second.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(first.Content[0].Text, second.Content[0].Text);
        var record = await UsageAsync(host, second.Id);
        var completion = second.Usage.OutputTokenCount;
        var cost = Micros(prompt - cached, Input) + Micros(cached, CachedInput) + Micros(completion, Output);
        Assert.Equal(cached, record.CachedPromptTokens);
        Assert.Equal(cost, record.CostMicros);
        Assert.Equal(before - cost, await BalanceAsync(host, userId));
        Assert.True(cost < Micros(prompt, Input) + Micros(completion, Output));

        // Streamed, the final usage chunk says the same.
        ChatTokenUsage? streamed = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(question)], options))
        {
            streamed = update.Usage ?? streamed;
        }

        Assert.Equal(cached, streamed!.InputTokenDetails.CachedTokenCount);

        // Anthropic: input_tokens are the tokens not read from the cache, as Anthropic counts them.
        var anthropic = SdkClients.Anthropic(host.RealAddress!, secret);
        var parameters = new MessageCreateParams
        {
            Model = ApiHostFixture.Model,
            MaxTokens = 4,
            System = new MessageCreateParamsSystem([new TextBlockParam { Text = LongText("system"), CacheControl = new CacheControlEphemeral() }]),
            Messages = [new MessageParam(new UserMessageParam("And then?"), null)],
        };
        var cold = await anthropic.Messages.Create(parameters, CancellationToken.None);
        var anthropicPrompt = (int)(cold.Usage.InputTokens + (cold.Usage.CacheReadInputTokens ?? 0));
        var warm = await anthropic.Messages.Create(parameters, CancellationToken.None);
        var anthropicCached = (anthropicPrompt - 1) / Block * Block;
        Assert.Equal(anthropicCached, warm.Usage.CacheReadInputTokens);
        Assert.Equal(anthropicPrompt - anthropicCached, warm.Usage.InputTokens);
        Assert.Equal(0, warm.Usage.CacheCreationInputTokens);
        var warmRecord = await UsageAsync(host, "inf-" + warm.ID["msg_".Length..]);
        Assert.Equal(anthropicPrompt, warmRecord.PromptTokens);
        Assert.Equal(anthropicCached, warmRecord.CachedPromptTokens);
        Assert.Equal(Micros(anthropicPrompt - anthropicCached, Input) + Micros(anthropicCached, CachedInput) + Micros((int)warm.Usage.OutputTokens, Output), warmRecord.CostMicros);
    }

    [Theory, SqliteData]
    public async Task A_streamed_anthropic_answer_reports_its_cached_tokens_in_message_start_as_in_its_final_usage(DatabaseKind kind)
    {
        await using var host = await AkashWebHost.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Inference:PrefixCache:BlockTokens"] = Block.ToString(CultureInfo.InvariantCulture),
        }, realHttp: true);
        var (_, secret) = await NewAccountAsync(host);
        var anthropic = SdkClients.Anthropic(host.RealAddress!, secret);
        var system = new MessageCreateParamsSystem([new TextBlockParam { Text = LongText("streamed"), CacheControl = new CacheControlEphemeral() }]);

        async Task<(MessageUsage Start, MessageDeltaUsage End)> StreamAsync(string question)
        {
            MessageUsage? start = null;
            MessageDeltaUsage? end = null;
            var parameters = new MessageCreateParams { Model = ApiHostFixture.Model, MaxTokens = 4, System = system, Messages = [new MessageParam(new UserMessageParam(question), null)] };
            await foreach (var streamed in anthropic.Messages.CreateStreaming(parameters, CancellationToken.None))
            {
                if (streamed.TryPickStart(out var started))
                {
                    start = started!.Message.Usage;
                }

                if (streamed.TryPickDelta(out var delta))
                {
                    end = delta!.Usage;
                }
            }

            return (start!, end!);
        }

        var (coldStart, coldEnd) = await StreamAsync("What next?");
        Assert.Equal(0, coldStart.CacheReadInputTokens ?? 0);
        Assert.Equal(coldEnd.InputTokens, coldStart.InputTokens);
        var prompt = (int)coldStart.InputTokens;
        Assert.True(prompt > 10 * Block, $"the prompt has {prompt} tokens");

        // Another question after the same long system prompt: its shared whole blocks come from the cache, and the
        // stream's first usage already splits the prompt as its last does.
        var (warmStart, warmEnd) = await StreamAsync("And then?");
        Assert.True(warmStart.CacheReadInputTokens > 10 * Block, $"{warmStart.CacheReadInputTokens} cached tokens at the start");
        Assert.Equal(warmEnd.CacheReadInputTokens, warmStart.CacheReadInputTokens);
        Assert.Equal(warmEnd.InputTokens, warmStart.InputTokens);
        Assert.Equal(0, warmStart.CacheCreationInputTokens);
        Assert.Equal(0, warmStart.OutputTokens);
    }

    [Theory, SqliteData]
    public async Task Cache_control_markers_are_accepted_on_system_messages_and_tools(DatabaseKind kind)
    {
        await using var host = await AkashWebHost.StartAsync(kind, realHttp: true);
        var (_, secret) = await NewAccountAsync(host);
        using var http = new HttpClient { BaseAddress = host.RealAddress, Timeout = TimeSpan.FromSeconds(120) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var marker = new JsonObject { ["type"] = "ephemeral" };
        var body = new JsonObject
        {
            ["model"] = ApiHostFixture.Model,
            ["max_tokens"] = 2,
            ["system"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Be brief.", ["cache_control"] = marker.DeepClone() }),
            ["tools"] = new JsonArray(new JsonObject
            {
                ["name"] = "lookup",
                ["description"] = "Looks a word up.",
                ["input_schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["word"] = new JsonObject { ["type"] = "string" } } },
                ["cache_control"] = marker.DeepClone(),
            }),
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Hello", ["cache_control"] = new JsonObject { ["type"] = "ephemeral", ["ttl"] = "1h" } }),
            }),
        };

        using var response = await http.PostAsync("anthropic/v1/messages", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.IsSuccessStatusCode, answer.ToJsonString());
        Assert.Equal(0, answer["usage"]!["cache_creation_input_tokens"]!.GetValue<int>());
        Assert.NotNull(answer["usage"]!["cache_read_input_tokens"]);
    }

    private static string LongText(string topic)
    {
        var text = new StringBuilder();
        for (var i = 0; i < 60; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{topic} sentence {i} talks about the weather and ");
        }

        return text.ToString();
    }

    /// <summary>The rounding rule: each side's tokens × price per million, rounded up to a whole micro-dollar.</summary>
    private static long Micros(long tokens, decimal pricePerMillion) => (long)decimal.Ceiling(tokens * pricePerMillion);

    private static Task<(string UserId, string Secret)> NewAccountAsync(AkashWebHost host) => host.WithServicesAsync(async services =>
    {
        var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync($"prefix-{Guid.NewGuid():N}@example.test", "Passw0rd!api", admin: false);
        var (_, secret) = await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "prefix", ApiKeyLimits.None, CancellationToken.None);
        await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 100_000_000, null, "prefix tests", null, CancellationToken.None);
        return (user.Id, secret);
    });

    private static async Task<long> BalanceAsync(AkashWebHost host, string userId) =>
        (await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, CancellationToken.None))).UsableMicros;

    private static async Task<UsageRecord> UsageAsync(AkashWebHost host, string responseId)
    {
        // The chat id is "chatcmpl-" + the inference id's tail; records are written in the background.
        var tail = responseId[(responseId.IndexOf('-', StringComparison.Ordinal) + 1)..];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await host.FlushUsageAsync();
            var record = await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.AsNoTracking()
                .SingleOrDefaultAsync(u => u.InferenceId.EndsWith(tail)));
            if (record is not null || DateTime.UtcNow > deadline)
            {
                return record ?? throw new Xunit.Sdk.XunitException($"no usage record for {responseId}");
            }

            await Task.Delay(20);
        }
    }
}
