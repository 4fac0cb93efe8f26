using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Data.Keys;
using AkashML.Data.Presets;
using AkashML.Data.Usage;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using AkashML.Web.Playground;
using AkashML.Web.Shell;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Playground;

/// <summary>
/// The playground's chat in-process, through the gateway service (no HTTP): the real host's services on SQLite and
/// PostgreSQL. Credits are held and settled exactly, the usage record says <c>playground</c>, the hidden playground
/// key's limits apply, and a stop bills only the tokens produced.
/// </summary>
public sealed class PlaygroundGatewayTests(HostPool hosts) : IClassFixture<HostPool>
{
    private const string Model = "akashml/tiny-random";

    [Theory, SqliteData, PostgresData]
    public async Task A_chat_holds_and_settles_credits_exactly_writes_a_playground_usage_record_and_tells_the_account(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        var userId = await NewUserAsync(host, creditMicros: 5_000_000);
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = host.Services.GetRequiredService<AccountChanges>().Subscribe(userId, () =>
        {
            changed.TrySetResult();
            return Task.CompletedTask;
        });
        var before = await BalanceAsync(host, userId);
        var pieces = new List<string>();
        var reply = new PlaygroundReply();

        await Chat(host).RunAsync(userId, Body(maxTokens: 6), reply, () =>
        {
            pieces.Add(reply.Text);
            return Task.CompletedTask;
        }, CancellationToken.None);

        Assert.True(reply.State == ReplyState.Done, $"{reply.State}: {reply.ErrorStatus} {reply.Error}");
        Assert.NotEmpty(reply.Text);
        Assert.True(pieces.Count > 1, "the reply streams: the page hears of it piece by piece");
        Assert.Equal(6, reply.CompletionTokens);
        var record = await UsageAsync(host, reply.InferenceId!);
        Assert.Equal("playground", record.Surface);
        Assert.Equal("ok", record.Status);
        Assert.Equal(userId, record.UserId);
        Assert.Equal(PlaygroundKeys.KeyIdFor(userId), record.ApiKeyId);
        Assert.Equal(Model, record.Model);
        Assert.Equal(reply.PromptTokens, record.PromptTokens);
        Assert.Equal(6, record.CompletionTokens);
        Assert.True(record.Streamed);
        // Default prices: $0.10 and $0.20 per million tokens, each side rounded up to a whole micro-dollar.
        var expected = (long)Math.Ceiling(record.PromptTokens * 0.10m) + (long)Math.Ceiling(record.CompletionTokens * 0.20m);
        Assert.Equal(expected, record.CostMicros);
        Assert.Equal(expected, reply.CostMicros);
        // Settled: the hold is gone and only the cost left the balance.
        Assert.Equal(before - expected, await BalanceAsync(host, userId));
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Stop_ends_generation_and_bills_only_the_tokens_produced(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        var userId = await NewUserAsync(host, creditMicros: 5_000_000);
        var before = await BalanceAsync(host, userId);
        using var stop = new CancellationTokenSource();
        var reply = new PlaygroundReply();
        var pieces = 0;

        await Chat(host).RunAsync(userId, Body(maxTokens: 200), reply, async () =>
        {
            if (++pieces == 3)
            {
                await stop.CancelAsync();
            }
        }, stop.Token);

        Assert.Equal(ReplyState.Stopped, reply.State);
        var record = await UsageAsync(host, reply.InferenceId!);
        Assert.Equal("cancelled", record.Status);
        Assert.Equal("playground", record.Surface);
        Assert.InRange(record.CompletionTokens, 3, 10);
        Assert.Equal(reply.CompletionTokens, record.CompletionTokens);
        var expected = (long)Math.Ceiling(record.PromptTokens * 0.10m) + (long)Math.Ceiling(record.CompletionTokens * 0.20m);
        Assert.Equal(expected, record.CostMicros);
        // The hold was for 200 tokens; only what was produced is charged, the rest is released.
        Assert.Equal(before - expected, await BalanceAsync(host, userId));
    }

    [Theory, SqliteData, PostgresData]
    public async Task The_playground_keys_request_and_concurrency_limits_refuse_with_the_api_messages_and_are_recorded(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        var perMinute = await NewUserAsync(host, creditMicros: 5_000_000);
        await LimitPlaygroundKeyAsync(host, perMinute, requestsPerMinute: 1, maxConcurrency: null);
        var first = new PlaygroundReply();
        var second = new PlaygroundReply();

        await Chat(host).RunAsync(perMinute, Body(maxTokens: 2), first, () => Task.CompletedTask, CancellationToken.None);
        await Chat(host).RunAsync(perMinute, Body(maxTokens: 2), second, () => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(ReplyState.Done, first.State);
        Assert.Equal(ReplyState.Failed, second.State);
        Assert.Equal(429, second.ErrorStatus);
        Assert.Contains("requests per minute", second.Error, StringComparison.Ordinal);
        await host.FlushUsageAsync();
        var refused = await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.AsNoTracking()
            .SingleAsync(u => u.UserId == perMinute && u.HttpStatus == 429));
        Assert.Equal("playground", refused.Surface);
        Assert.Equal(0, refused.CostMicros);

        // One at a time: a second reply while the first still streams is refused; the slot comes back afterwards.
        var oneAtATime = await NewUserAsync(host, creditMicros: 5_000_000);
        await LimitPlaygroundKeyAsync(host, oneAtATime, requestsPerMinute: null, maxConcurrency: 1);
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new PlaygroundReply();
        var running = Chat(host).RunAsync(oneAtATime, Body(maxTokens: 4), holding, async () =>
        {
            streaming.TrySetResult();
            await release.Task;
        }, CancellationToken.None);
        await streaming.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var refusedWhileBusy = new PlaygroundReply();
        await Chat(host).RunAsync(oneAtATime, Body(maxTokens: 2), refusedWhileBusy, () => Task.CompletedTask, CancellationToken.None);
        release.SetResult();
        await running;
        var afterwards = new PlaygroundReply();
        await Chat(host).RunAsync(oneAtATime, Body(maxTokens: 2), afterwards, () => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(ReplyState.Failed, refusedWhileBusy.State);
        Assert.Equal(429, refusedWhileBusy.ErrorStatus);
        Assert.Contains("concurrent", refusedWhileBusy.Error, StringComparison.Ordinal);
        Assert.Equal(ReplyState.Done, holding.State);
        Assert.Equal(ReplyState.Done, afterwards.State);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Without_credits_the_reply_is_refused_with_402_recorded_and_nothing_charged(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        var userId = await NewUserAsync(host, creditMicros: 0);
        var reply = new PlaygroundReply();

        await Chat(host).RunAsync(userId, Body(maxTokens: 3), reply, () => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(ReplyState.Failed, reply.State);
        Assert.Equal(402, reply.ErrorStatus);
        Assert.StartsWith("Insufficient credits", reply.Error, StringComparison.Ordinal);
        var record = await UsageAsync(host, reply.InferenceId!);
        Assert.Equal("playground", record.Surface);
        Assert.Equal(402, record.HttpStatus);
        Assert.Equal(0, record.CostMicros);
        Assert.Equal(0, await BalanceAsync(host, userId));
    }

    [Theory, SqliteData]
    public async Task A_preset_resolves_through_the_gateway_and_the_hidden_key_stays_one_unlisted_row(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        var userId = await NewUserAsync(host, creditMicros: 5_000_000);
        await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<AkashDbContext>();
            db.Presets.Add(new Preset
            {
                UserId = userId, Name = "terse", ModelId = Model, ParametersJson = """{"max_tokens":3}""", SystemPrompt = "Be terse.",
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        var body = new JsonObject { ["model"] = "@preset/terse", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }) };

        var replies = Enumerable.Range(0, 3).Select(_ => new PlaygroundReply()).ToList();
        await Task.WhenAll(replies.Select(r => Chat(host).RunAsync(userId, body, r, () => Task.CompletedTask, CancellationToken.None)));

        Assert.All(replies, r => Assert.True(r.State == ReplyState.Done, $"{r.State}: {r.ErrorStatus} {r.Error}"));
        Assert.All(replies, r => Assert.Equal(3, r.CompletionTokens));
        var record = await UsageAsync(host, replies[0].InferenceId!);
        Assert.Equal(Model, record.Model);
        Assert.Empty(await host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().ListAsync(userId, CancellationToken.None)));
        Assert.Null(await host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().AuthenticateAsync("playground", CancellationToken.None)));
        Assert.Equal(1, await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().ApiKeys.CountAsync(k => k.UserId == userId)));
    }

    private static PlaygroundChat Chat(AkashWebHost host) => host.Services.GetRequiredService<PlaygroundChat>();

    private static JsonObject Body(int maxTokens) => new()
    {
        ["model"] = Model,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Tell me a story" }),
        ["temperature"] = 0,
        ["max_tokens"] = maxTokens,
    };

    private static async Task<string> NewUserAsync(AkashWebHost host, long creditMicros)
    {
        var email = AccountFlows.NewEmail("play");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var user = await host.FindUserAsync(email);
        if (creditMicros > 0)
        {
            await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>()
                .GrantAsync(user!.Id, CreditSource.AdminGrant, creditMicros, null, "playground tests", null, CancellationToken.None));
        }

        return user!.Id;
    }

    /// <summary>Creates the user's hidden playground key with limits before its first use (as an operator would set them).</summary>
    private static Task LimitPlaygroundKeyAsync(AkashWebHost host, string userId, int? requestsPerMinute, int? maxConcurrency) =>
        host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<AkashDbContext>();
            db.ApiKeys.Add(new ApiKey
            {
                Id = PlaygroundKeys.KeyIdFor(userId),
                UserId = userId,
                Name = PlaygroundKeys.Name,
                SecretHash = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                Prefix = PlaygroundKeys.Prefix,
                LastFour = "----",
                RequestsPerMinute = requestsPerMinute,
                MaxConcurrency = maxConcurrency,
            });
            return await db.SaveChangesAsync();
        });

    private static async Task<long> BalanceAsync(AkashWebHost host, string userId) =>
        (await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, CancellationToken.None))).UsableMicros;

    private static async Task<UsageRecord> UsageAsync(AkashWebHost host, string inferenceId)
    {
        await host.FlushUsageAsync();
        return await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.AsNoTracking().SingleAsync(u => u.InferenceId == inferenceId));
    }
}
