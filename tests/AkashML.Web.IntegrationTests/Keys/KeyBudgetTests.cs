using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Data.Keys;
using AkashML.Data.Presets;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using AkashML.Web.Playground;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using static AkashML.Web.IntegrationTests.Keys.KeyBudgetHostPool;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>
/// A key's allow-list and spend budget over HTTP with the official SDKs and in the playground, on SQLite and PostgreSQL:
/// other models get 403 in each API's shape (however they are named), a request the budget cannot cover gets 402 naming
/// the key's budget, and the budget starts again when its period does.
/// </summary>
public sealed class KeyBudgetTests(KeyBudgetHostPool hosts) : IClassFixture<KeyBudgetHostPool>
{
    [Theory, SqliteData, PostgresData]
    public async Task An_allow_list_blocks_other_models_on_both_APIs_through_presets_and_in_the_playground(DatabaseKind kind)
    {
        var (host, _) = await hosts.GetAsync(kind);
        var account = await NewAccountAsync(host, ApiKeyLimits.None with { AllowedModels = [Allowed] });

        var answer = await OpenAi(host, account.Secret).GetChatClient(Allowed).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 1 });
        Assert.Equal(1, answer.Value.Usage.OutputTokenCount);
        var refused = await Assert.ThrowsAsync<ClientResultException>(() =>
            OpenAi(host, account.Secret).GetChatClient(Other).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 1 }));
        Assert.Equal(403, refused.Status);
        Assert.Contains($"is not allowed to use the model '{Other}'", refused.Message, StringComparison.Ordinal);

        using var http = Http(host, account.Secret);
        var openAiError = await ErrorAsync(http, "v1/chat/completions", Other, HttpStatusCode.Forbidden);
        Assert.Equal("permission_error", openAiError["error"]!["type"]!.GetValue<string>());
        Assert.Equal("model_not_allowed", openAiError["error"]!["code"]!.GetValue<string>());
        Assert.Equal("model", openAiError["error"]!["param"]!.GetValue<string>());
        Assert.Contains(Allowed, openAiError["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await ErrorAsync(http, "v1/completions", Other, HttpStatusCode.Forbidden);

        // Model lists show the key only what it may call; asking for another by id says why not.
        var listed = JsonNode.Parse(await http.GetStringAsync(new Uri("v1/models", UriKind.Relative)))!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>());
        Assert.Equal([Allowed], listed);
        var anthropicListed = JsonNode.Parse(await http.GetStringAsync(new Uri("anthropic/v1/models", UriKind.Relative)))!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>());
        Assert.Equal([Allowed, Allowed.Replace("/", "--", StringComparison.Ordinal)], anthropicListed);
        using (var other = await http.GetAsync(new Uri("v1/models/" + Other, UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        }

        // Claude Code's spelling of the id is the same model.
        var anthropic = await Assert.ThrowsAsync<AnthropicForbiddenException>(() => Anthropic(host, account.Secret).Messages.Create(new MessageCreateParams
        {
            Model = Other.Replace("/", "--", StringComparison.Ordinal),
            MaxTokens = 1,
            Messages = [new MessageParam(new UserMessageParam("hi"), null)],
        }, CancellationToken.None));
        Assert.Contains("permission_error", anthropic.ResponseBody, StringComparison.Ordinal);
        var anthropicError = await ErrorAsync(http, "anthropic/v1/messages", Other, HttpStatusCode.Forbidden);
        Assert.Equal("error", anthropicError["type"]!.GetValue<string>());
        Assert.Equal("permission_error", anthropicError["error"]!["type"]!.GetValue<string>());

        // A preset is resolved first: one that names another model is refused as that model would be.
        await AddPresetAsync(host, account.UserId, "elsewhere", Other);
        await AddPresetAsync(host, account.UserId, "here", Allowed);
        var viaPreset = await ErrorAsync(http, "v1/chat/completions", "@preset/elsewhere", HttpStatusCode.Forbidden);
        Assert.Contains($"'@preset/elsewhere' (the model '{Other}')", viaPreset["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await ErrorAsync(http, "anthropic/v1/messages", "@preset/elsewhere", HttpStatusCode.Forbidden);
        using (var allowedPreset = await PostAsync(http, "v1/chat/completions", "@preset/here"))
        {
            Assert.Equal(HttpStatusCode.OK, allowedPreset.StatusCode);
        }

        // The playground, running as the key, is held to the same list; as the playground key it is not.
        var asKey = await PlayAsync(host, account, account.KeyId, Other);
        Assert.Equal(ReplyState.Failed, asKey.State);
        Assert.Equal(403, asKey.ErrorStatus);
        Assert.Contains("not allowed", asKey.Error, StringComparison.Ordinal);
        Assert.Equal(ReplyState.Done, (await PlayAsync(host, account, account.KeyId, Allowed)).State);
        Assert.Equal(ReplyState.Done, (await PlayAsync(host, account, null, Other)).State);
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_budget_refuses_with_402_naming_it_counts_what_was_charged_and_starts_again_the_next_day(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        clock.AdvanceToMinuteOffset(TimeSpan.FromSeconds(1));
        var account = await NewAccountAsync(host, ApiKeyLimits.None with { BudgetMicros = 3_000_000, BudgetPeriod = ApiKeyBudgetPeriod.Daily });
        using var http = Http(host, account.Secret);

        // A dollar per token: two tokens fit a three-dollar budget, then two more would not (402), one more does.
        using (var first = await PostAsync(http, "v1/chat/completions", Allowed, maxTokens: 2))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var overBudget = await ErrorAsync(http, "v1/chat/completions", Allowed, HttpStatusCode.PaymentRequired, maxTokens: 2);
        Assert.Equal("key_budget_exceeded", overBudget["error"]!["code"]!.GetValue<string>());
        Assert.Equal(
            "Key budget exceeded: the key 'budgeted' has a budget of $3.00 per day (resets at 00:00 UTC) and $1.00 of it is left, but this request needs up to $2.00.",
            overBudget["error"]!["message"]!.GetValue<string>());
        var anthropic = await ErrorAsync(http, "anthropic/v1/messages", Allowed, HttpStatusCode.PaymentRequired, maxTokens: 2);
        Assert.Equal("billing_error", anthropic["error"]!["type"]!.GetValue<string>());
        Assert.StartsWith("Key budget exceeded: the key 'budgeted'", anthropic["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var sdk = await Assert.ThrowsAsync<ClientResultException>(() =>
            OpenAi(host, account.Secret).GetChatClient(Allowed).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 2 }));
        Assert.Equal(402, sdk.Status);
        Assert.Equal(ReplyState.Failed, (await PlayAsync(host, account, account.KeyId, Allowed, maxTokens: 2)).State);
        Assert.Equal(ReplyState.Done, (await PlayAsync(host, account, account.KeyId, Allowed, maxTokens: 1)).State);
        await ErrorAsync(http, "v1/chat/completions", Allowed, HttpStatusCode.PaymentRequired, maxTokens: 1);
        Assert.Equal(3_000_000, await SpentTodayAsync(host, account.KeyId, clock));

        // The dashboard and the CLI read the same figure.
        var shown = await host.WithServicesAsync(async sp =>
        {
            var keys = sp.GetRequiredService<ApiKeyService>();
            return await keys.SpentThisPeriodAsync(await keys.ListAsync(account.UserId, CancellationToken.None), CancellationToken.None);
        });
        Assert.Equal(3_000_000, shown[account.KeyId]);

        // Midnight UTC: a new day, a whole budget again; the balance paid for all of it.
        var now = clock.GetUtcNow();
        clock.Advance(new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero) - now);
        using (var nextDay = await PostAsync(http, "v1/chat/completions", Allowed, maxTokens: 2))
        {
            Assert.Equal(HttpStatusCode.OK, nextDay.StatusCode);
        }

        Assert.Equal(2_000_000, await SpentTodayAsync(host, account.KeyId, clock));
        var balance = await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(account.UserId, CancellationToken.None));
        Assert.Equal(100_000_000 - 5_000_000, balance.UsableMicros);

        // Raising the budget applies at once to this replica's next request.
        await host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().UpdateLimitsAsync(account.KeyId, account.UserId,
            ApiKeyLimits.None with { BudgetMicros = 10_000_000, BudgetPeriod = ApiKeyBudgetPeriod.Daily }, CancellationToken.None));
        using (var raised = await PostAsync(http, "v1/chat/completions", Allowed, maxTokens: 2))
        {
            Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_budget_set_on_a_key_that_already_spent_counts_that_spend(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        clock.AdvanceToMinuteOffset(TimeSpan.FromSeconds(1));
        var account = await NewAccountAsync(host, ApiKeyLimits.None);
        using var http = Http(host, account.Secret);

        // Two dollars spent before the key had a budget.
        using (var before = await PostAsync(http, "v1/chat/completions", Allowed, maxTokens: 2))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        Assert.Equal(0, await SpentTodayAsync(host, account.KeyId, clock));
        await host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().UpdateLimitsAsync(account.KeyId, account.UserId,
            ApiKeyLimits.None with { BudgetMicros = 3_000_000, BudgetPeriod = ApiKeyBudgetPeriod.Monthly }, CancellationToken.None));

        // Three dollars a month with two spent: one more token fits, two do not.
        Assert.Equal(2_000_000, await SpentTodayAsync(host, account.KeyId, clock));
        var overBudget = await ErrorAsync(http, "v1/chat/completions", Allowed, HttpStatusCode.PaymentRequired, maxTokens: 2);
        Assert.Contains("$1.00 of it is left", overBudget["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        using (var fits = await PostAsync(http, "v1/chat/completions", Allowed, maxTokens: 1))
        {
            Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        }

        var shown = await host.WithServicesAsync(async sp =>
        {
            var keys = sp.GetRequiredService<ApiKeyService>();
            return await keys.SpentThisPeriodAsync(await keys.ListAsync(account.UserId, CancellationToken.None), CancellationToken.None);
        });
        Assert.Equal(3_000_000, shown[account.KeyId]);
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_budget_set_while_a_request_runs_counts_what_it_holds_and_then_what_it_was_charged(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        clock.AdvanceToMinuteOffset(TimeSpan.FromSeconds(1));
        var account = await NewAccountAsync(host, ApiKeyLimits.None);
        using var http = Http(host, account.Secret);

        // A streamed reply on the key that may produce 20 tokens, paused at its first text: it holds $20 meanwhile.
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reply = new PlaygroundReply();
        var body = new JsonObject
        {
            ["model"] = Allowed,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
            ["max_tokens"] = 20,
            ["temperature"] = 0,
        };
        var running = Task.Run(() => host.Services.GetRequiredService<PlaygroundChat>().RunAsync(account.UserId, account.KeyId, body, reply, () =>
        {
            streaming.TrySetResult();
            return resume.Task;
        }, CancellationToken.None));
        Assert.Same(streaming.Task, await Task.WhenAny(streaming.Task, running));

        // $22 a month set now: the running reply's $20 counts, so a request that may cost $3 is refused, naming the budget.
        Assert.True(await host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().UpdateLimitsAsync(account.KeyId, account.UserId,
            ApiKeyLimits.None with { BudgetMicros = 22_000_000, BudgetPeriod = ApiKeyBudgetPeriod.Monthly }, CancellationToken.None)));
        Assert.Equal(20_000_000, await SpentTodayAsync(host, account.KeyId, clock));
        var overBudget = await ErrorAsync(http, "v1/chat/completions", Allowed, HttpStatusCode.PaymentRequired, maxTokens: 3);
        Assert.Equal(
            "Key budget exceeded: the key 'budgeted' has a budget of $22.00 per month (resets on the 1st, 00:00 UTC) and $2.00 of it is left, but this request needs up to $3.00.",
            overBudget["error"]!["message"]!.GetValue<string>());

        // The running reply completes; settling it moves the budget from its hold to what it was charged, to the micro-dollar.
        resume.SetResult();
        await running;
        Assert.Equal(ReplyState.Done, reply.State);
        var charged = reply.CostMicros!.Value;
        Assert.Equal(reply.CompletionTokens!.Value * 1_000_000L, charged);
        Assert.Equal(charged, await SpentTodayAsync(host, account.KeyId, clock));
        var balance = await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(account.UserId, CancellationToken.None));
        Assert.Equal((100_000_000 - charged, 0), (balance.UsableMicros, balance.HeldMicros));

        // What the budget has left is the key's to spend.
        var left = (int)((22_000_000 - charged) / 1_000_000);
        using (var fits = await PostAsync(http, "v1/chat/completions", Allowed, maxTokens: left))
        {
            Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        }

        await ErrorAsync(http, "v1/chat/completions", Allowed, HttpStatusCode.PaymentRequired, maxTokens: left + 1);
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_hundred_parallel_requests_never_take_a_key_past_its_budget(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        clock.AdvanceToMinuteOffset(TimeSpan.FromSeconds(1));
        var account = await NewAccountAsync(host, ApiKeyLimits.None with { BudgetMicros = 40_000_000, BudgetPeriod = ApiKeyBudgetPeriod.Monthly });
        var client = OpenAi(host, account.Secret).GetChatClient(Allowed);

        // Each request holds one token's dollar and is charged exactly that: forty fit, whatever the interleaving.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            try
            {
                var answer = await client.CompleteChatAsync([new UserChatMessage($"parallel {i}")], new ChatCompletionOptions { MaxOutputTokenCount = 1 });
                return answer.Value.Usage.OutputTokenCount == 1 ? 200 : -1;
            }
            catch (ClientResultException ex)
            {
                Assert.Contains("Key budget exceeded: the key 'budgeted' has a budget of $40.00 per month", ex.Message, StringComparison.Ordinal);
                return ex.Status;
            }
        })));

        Assert.Equal(40, outcomes.Count(s => s == 200));
        Assert.Equal(60, outcomes.Count(s => s == 402));
        var spent = await host.WithServicesAsync(async sp =>
        {
            var keys = sp.GetRequiredService<ApiKeyService>();
            return (await keys.SpentThisPeriodAsync(await keys.ListAsync(account.UserId, CancellationToken.None), CancellationToken.None))[account.KeyId];
        });
        Assert.Equal(40_000_000, spent);
        var balance = await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(account.UserId, CancellationToken.None));
        Assert.Equal((100_000_000 - 40_000_000, 0), (balance.UsableMicros, balance.HeldMicros));
    }

    [Theory, SqliteData]
    public async Task Bad_budgets_periods_and_model_ids_are_refused_with_every_problem_named(DatabaseKind kind)
    {
        var (host, _) = await hosts.GetAsync(kind);
        var account = await NewAccountAsync(host, ApiKeyLimits.None);
        var error = await Assert.ThrowsAsync<ApiKeyValidationException>(() => host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().CreateAsync(account.UserId, "bad",
            ApiKeyLimits.None with { BudgetMicros = -1, BudgetPeriod = (ApiKeyBudgetPeriod)42, AllowedModels = [Allowed, "nobody/nothing"] }, CancellationToken.None)));
        Assert.Contains("budget must be zero or more USD", error.Problems);
        Assert.Contains("budget period must be one of none, daily, weekly or monthly", error.Problems);
        Assert.Contains(error.Problems, p => p.StartsWith("allowed models: no model has the id 'nobody/nothing'", StringComparison.Ordinal));

        error = await Assert.ThrowsAsync<ApiKeyValidationException>(() => host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().EditAsync(account.KeyId, account.UserId, "k",
            ApiKeyLimits.None with { BudgetPeriod = ApiKeyBudgetPeriod.Weekly, AllowedModels = [] }, CancellationToken.None)));
        Assert.Equal(["a budget period needs a budget amount", "allowed models must name at least one model (or be left empty to allow every model)"], error.Problems);

        // The "--" spelling is stored as the catalog id, once.
        await host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().EditAsync(account.KeyId, account.UserId, "k",
            ApiKeyLimits.None with { AllowedModels = [Other.Replace("/", "--", StringComparison.Ordinal), Other] }, CancellationToken.None));
        var key = await host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().FindAsync(account.KeyId, account.UserId, CancellationToken.None));
        Assert.Equal([Other], key!.AllowedModels);
    }

    private sealed record Account(string UserId, Guid KeyId, string Secret);

    private static async Task<Account> NewAccountAsync(AkashWebHost host, ApiKeyLimits limits) => await host.WithServicesAsync(async services =>
    {
        var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(AccountFlows.NewEmail("budget"), "Passw0rd!budget", admin: false);
        await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 100_000_000, null, "budget tests", null, CancellationToken.None);
        var (key, secret) = await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "budgeted", limits, CancellationToken.None);
        return new Account(user.Id, key.Id, secret);
    });

    private static Task<int> AddPresetAsync(AkashWebHost host, string userId, string name, string model) => host.WithServicesAsync(sp =>
    {
        var db = sp.GetRequiredService<AkashDbContext>();
        db.Presets.Add(new Preset { UserId = userId, Name = name, ModelId = model, ParametersJson = "{}", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
        return db.SaveChangesAsync();
    });

    private static async Task<PlaygroundReply> PlayAsync(AkashWebHost host, Account account, Guid? keyId, string model, int maxTokens = 1)
    {
        var reply = new PlaygroundReply();
        var body = new JsonObject { ["model"] = model, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }), ["max_tokens"] = maxTokens };
        await host.Services.GetRequiredService<PlaygroundChat>().RunAsync(account.UserId, keyId, body, reply, () => Task.CompletedTask, CancellationToken.None);
        return reply;
    }

    private static Task<long> SpentTodayAsync(AkashWebHost host, Guid keyId, Microsoft.Extensions.Time.Testing.FakeTimeProvider clock) =>
        host.WithServicesAsync(sp =>
        {
            var day = BudgetCalendar.Day(clock.GetUtcNow());
            return Task.FromResult(sp.GetRequiredService<AkashDbContext>().ApiKeySpend.Where(s => s.KeyId == keyId && s.Day == day).Sum(s => s.SpentMicros));
        });

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string model, int maxTokens = 1)
    {
        var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" });
        var body = path.EndsWith("/completions", StringComparison.Ordinal) && !path.Contains("chat", StringComparison.Ordinal)
            ? new JsonObject { ["model"] = model, ["prompt"] = "hi", ["max_tokens"] = maxTokens }
            : new JsonObject { ["model"] = model, ["messages"] = messages, ["max_tokens"] = maxTokens };
        return http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
    }

    private static async Task<JsonNode> ErrorAsync(HttpClient http, string path, string model, HttpStatusCode expected, int maxTokens = 1)
    {
        using var response = await PostAsync(http, path, model, maxTokens);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{path} {model}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private static OpenAIClient OpenAi(AkashWebHost host, string key) => SdkClients.OpenAi(host.RealAddress!, key);

    private static AnthropicClient Anthropic(AkashWebHost host, string key) => SdkClients.Anthropic(host.RealAddress!, key);

    private static HttpClient Http(AkashWebHost host, string key)
    {
        var client = new HttpClient { BaseAddress = host.RealAddress, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
