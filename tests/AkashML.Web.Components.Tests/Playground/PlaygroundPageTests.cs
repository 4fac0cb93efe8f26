using System.Text.Json;
using AkashML.Data;
using AkashML.Data.Keys;
using AkashML.Data.Usage;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Playground;
using AkashML.Web.Presets;
using AkashML.Web.Usage;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.Components.Tests.Playground;

/// <summary>
/// The playground page against the real host (its one model is the smoke-test <c>akashml/tiny-random</c>): replies
/// stream in through the in-process gateway, parameters say what is wrong instead of clamping, Stop, Regenerate,
/// edit and resend, the 402 message, compare with one model, the preset dialog, and the draft kept in browser storage.
/// </summary>
public sealed class PlaygroundPageTests(DashboardHost host) : DashboardTest(host)
{
    private static readonly TimeSpan Generation = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_reply_streams_into_the_message_list_as_tokens_arrive_then_shows_its_cost()
    {
        await SignInNewUserAsync(credits: 5m);
        var page = RenderPlayground();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(string State, int Length)>();
        page.OnMarkupUpdated += (_, _) =>
        {
            foreach (var reply in page.FindAll("[data-testid=reply]"))
            {
                seen.Enqueue((reply.GetAttribute("data-state")!, reply.QuerySelector(".pg-md")?.TextContent.Length ?? 0));
            }
        };

        Send(page, "Tell me a story about a robot.");

        var reply = WaitForReply(page, "done");
        var states = seen.ToArray();
        Assert.Contains(states, s => s is { State: "streaming", Length: > 0 });
        var growing = states.Where(s => s.State == "streaming").Select(s => s.Length).Distinct().Count();
        Assert.True(growing > 1, $"the text grew while streaming (saw {growing} lengths)");
        Assert.NotEmpty(reply.QuerySelector(".pg-md")!.TextContent);
        var meta = reply.QuerySelector("[data-testid=reply-meta]")!.TextContent;
        Assert.Contains("tokens", meta, StringComparison.Ordinal);
        Assert.Contains("$", meta, StringComparison.Ordinal);
        Assert.Contains("inf-", meta, StringComparison.Ordinal);
        Assert.Single(page.FindAll("[data-testid=user-message]"));
    }

    [Fact]
    public async Task A_parameter_out_of_range_keeps_the_value_says_the_range_and_blocks_sending()
    {
        await SignInNewUserAsync(credits: 5m);
        var page = RenderPlayground();

        page.Find("#pg-param-temperature").Change("3");
        page.Find("textarea[data-testid=message]").Input("Hello");

        page.WaitForAssertion(() => Assert.Equal("Temperature must be between 0 and 2.", page.Find("[data-testid=param-temperature] [data-testid=param-error]").TextContent.Trim()));
        Assert.Equal("3", page.Find("#pg-param-temperature").GetAttribute("value"));
        Assert.True(page.Find("button[data-testid=send]").HasAttribute("disabled"));
        Assert.Contains("Temperature must be between 0 and 2.", page.Find("[data-testid=parameter-problems]").TextContent, StringComparison.Ordinal);

        // The smoke-test model writes at most 256 tokens: its own range, not the API's, is checked.
        page.Find("#pg-param-temperature").Change("0.5");
        page.Find("#pg-param-max_tokens").Change("300");
        page.WaitForAssertion(() => Assert.Equal("Max tokens must be between 1 and 256.", page.Find("[data-testid=param-max_tokens] [data-testid=param-error]").TextContent.Trim()));
        page.Find("[data-testid=param-seed] input").Input("abc");
        page.WaitForAssertion(() => Assert.Contains("Seed must be a whole number", page.Find("[data-testid=param-seed]").TextContent, StringComparison.Ordinal));

        page.Find("#pg-param-max_tokens").Change("200");
        page.Find("[data-testid=param-seed] input").Input("42");
        page.WaitForAssertion(() => Assert.False(page.Find("button[data-testid=send]").HasAttribute("disabled")));
        Assert.Empty(page.FindAll("[data-testid=param-error]"));
    }

    [Fact]
    public async Task Stop_keeps_what_was_produced_bills_it_and_regenerate_answers_the_same_turn_again()
    {
        var user = await SignInNewUserAsync(credits: 5m);
        var page = RenderPlayground();

        page.Find("textarea[data-testid=message]").Input("Tell me everything you know.");
        page.WaitForAssertion(() => Assert.False(page.Find("button[data-testid=send]").HasAttribute("disabled")));

        // Stop as soon as the first tokens show: the smoke-test model writes its 256 tokens in about a second, so the click
        // goes in from the render that shows them rather than from a later look at the page.
        Task? stopping = null;
        var clicked = 0;
        page.OnMarkupUpdated += (_, _) =>
        {
            // The click renders too (raising this again), so it is taken once, before it is made.
            if (Volatile.Read(ref clicked) == 0 && page.FindAll("[data-testid=reply][data-state=streaming] .pg-md").Count > 0
                && page.FindAll("button[data-testid=stop]") is [var stop] && Interlocked.Exchange(ref clicked, 1) == 0)
            {
                stopping = stop.ClickAsync(new MouseEventArgs());
            }
        };
        page.Find("button[data-testid=send]").Click();

        var stopped = WaitForReply(page, "stopped");
        await stopping!;
        Assert.Contains("stopped", stopped.TextContent, StringComparison.Ordinal);
        var inferenceId = stopped.QuerySelector(".pg-inference-id")!.TextContent;
        var record = await UsageAsync(inferenceId);
        Assert.Equal("cancelled", record.Status);
        Assert.Equal("playground", record.Surface);
        Assert.Equal(user.Id, record.UserId);
        Assert.InRange(record.CompletionTokens, 1, 255);
        Assert.NotEmpty(stopped.QuerySelector(".pg-md")!.TextContent);

        page.WaitForElement("button[data-testid=regenerate]:not([disabled])", Generation).Click();
        var again = WaitForReply(page, "done");
        Assert.DoesNotContain(inferenceId, again.TextContent, StringComparison.Ordinal);
        Assert.Single(page.FindAll("[data-testid=user-message]"));
        Assert.Single(page.FindAll("[data-testid=reply]"));
    }

    [Fact]
    public async Task Edit_and_resend_replaces_the_turn_and_its_answers()
    {
        await SignInNewUserAsync(credits: 5m);
        var page = RenderPlayground();
        page.Find("#pg-param-max_tokens").Change("4");
        Send(page, "First question");
        WaitForReply(page, "done");
        Send(page, "Second question");
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=reply][data-state=done]").Count), Generation);

        page.WaitForElement("button[data-testid=edit]:not([disabled])").Click();
        page.WaitForElement("textarea[data-testid=edit-message]").Input("A better first question");
        page.WaitForElement("button[data-testid=resend]:not([disabled])").Click();

        page.WaitForAssertion(() =>
        {
            var users = page.FindAll("[data-testid=user-message]");
            Assert.Single(users);
            Assert.Contains("A better first question", users[0].TextContent, StringComparison.Ordinal);
            Assert.Equal("done", Assert.Single(page.FindAll("[data-testid=reply]")).GetAttribute("data-state"));
        }, Generation);
    }

    [Fact]
    public async Task Without_credits_the_reply_says_not_enough_credits_once_with_the_way_to_add_them()
    {
        await SignInNewUserAsync(credits: 0m);
        var page = RenderPlayground();

        Send(page, "Hello?");

        var reply = WaitForReply(page, "failed");
        var error = reply.QuerySelector("[data-testid=reply-error]")!;
        Assert.Equal(1, CountOf(error.TextContent, "Not enough credits"));
        Assert.DoesNotContain("Insufficient", error.TextContent, StringComparison.Ordinal);
        Assert.Equal("billing", error.QuerySelector("a[data-testid=add-credits]")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Running_as_a_key_applies_its_allow_list_and_budget_and_marks_models_it_may_not_use()
    {
        var user = await SignInNewUserAsync(credits: 5m);
        // One key whose list names only a model this server no longer has, one with a budget a request cannot fit.
        var narrow = await AddKeyAsync(user.Id, "narrow", k => k.AllowedModels = ["gone/model"]);
        var capped = await AddKeyAsync(user.Id, "capped", k => (k.BudgetMicros, k.BudgetPeriod) = (1, ApiKeyBudgetPeriod.Daily));
        var page = RenderPlayground();
        Assert.DoesNotContain("not allowed for this key", page.Markup, StringComparison.Ordinal);

        var runAs = page.FindComponents<MudBlazor.MudSelect<string>>().Single(s => s.Instance.Label == "Run as");
        await page.InvokeAsync(() => runAs.Instance.ValueChanged.InvokeAsync(narrow.ToString()));
        page.WaitForAssertion(() => Assert.Contains("The key 'narrow' is not allowed to use", page.Find("[data-testid=model-not-allowed]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Tiny random", page.Find("[data-testid=model-not-allowed]").TextContent, StringComparison.Ordinal);
        page.Find("textarea[data-testid=message]").Input("Hello");
        page.WaitForAssertion(() => Assert.True(page.Find("button[data-testid=send]").HasAttribute("disabled")));
        var picker = page.FindComponents<MudBlazor.MudSelectItem<string>>().Single(i => i.Instance.Value == "akashml/tiny-random");
        Assert.True(picker.Instance.Disabled);

        await page.InvokeAsync(() => runAs.Instance.ValueChanged.InvokeAsync(capped.ToString()));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=model-not-allowed]")));
        Send(page, "Hello?");
        var error = WaitForReply(page, "failed").QuerySelector("[data-testid=reply-error]")!;
        Assert.StartsWith("Key budget exceeded: the key 'capped' has a budget of $0.000001 per day", error.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal("keys", error.QuerySelector("a[data-testid=raise-budget]")!.GetAttribute("href"));

        // Back to the playground key: no key budget, every model.
        await page.InvokeAsync(() => runAs.Instance.ValueChanged.InvokeAsync(""));
        page.Find("#pg-param-max_tokens").Change("2");
        Send(page, "Again?");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=reply][data-state=done]")), Generation);
    }

    private async Task<Guid> AddKeyAsync(string userId, string name, Action<Data.Keys.ApiKey> limit)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var key = new Data.Keys.ApiKey { UserId = userId, Name = name, SecretHash = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"), Prefix = "akml-", LastFour = "abcd" };
        limit(key);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        return key.Id;
    }

    [Fact]
    public async Task Compare_with_the_only_model_explains_why_it_cannot_and_the_smoke_test_model_is_explained()
    {
        await SignInNewUserAsync(credits: 5m);
        var page = RenderPlayground();

        var note = page.Find("[data-testid=compare-unavailable]").TextContent;
        Assert.Contains("Compare needs at least two models", note, StringComparison.Ordinal);
        Assert.Contains("Tiny random", note, StringComparison.Ordinal);
        Assert.True(page.Find("input[data-testid=compare-toggle]").HasAttribute("disabled"));
        Assert.Single(page.FindAll("[data-testid=column]"));
        Assert.Contains("smoke-test model", page.Find("[data-testid=smoke-test-note]").TextContent, StringComparison.Ordinal);
        // The parameter controls come from the catalog, in the order the API documents them.
        Assert.Equal(["temperature", "top_p", "top_k", "max_tokens", "frequency_penalty", "presence_penalty", "seed", "stop"],
            page.FindAll(".pg-param").Select(p => p.GetAttribute("data-testid")!["param-".Length..]));
    }

    [Fact]
    public async Task Save_as_preset_checks_the_name_in_a_dialog_and_saves_without_leaving_the_page()
    {
        var user = await SignInNewUserAsync(credits: 5m);
        var page = RenderPlayground();
        var navigation = Services.GetRequiredService<NavigationManager>();
        var before = navigation.Uri;
        page.Find("textarea[data-testid=system-prompt]").Change("You are a terse robot.");
        page.Find("#pg-param-temperature").Change("0.3");

        page.Find("button[data-testid=open-save-preset]").Click();
        var name = page.WaitForElement("input[data-testid=preset-name]");
        Assert.Equal("64", name.GetAttribute("maxlength"));
        name.Input(new string('x', 65));
        page.WaitForAssertion(() => Assert.Contains("at most 64 characters", page.Find("[data-testid=save-preset-dialog]").TextContent, StringComparison.Ordinal));
        page.Find("input[data-testid=preset-name]").Input("bad name!");
        page.WaitForAssertion(() => Assert.Contains("Use letters, digits", page.Find("[data-testid=save-preset-dialog]").TextContent, StringComparison.Ordinal));
        page.Find("input[data-testid=preset-name]").Input("terse-robot");
        page.Find("button[data-testid=save-preset]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=save-preset-dialog]")));
        Assert.Equal(before, navigation.Uri);
        var saved = Assert.Single(await HostService<PresetService>().ListAsync(user.Id, CancellationToken.None));
        Assert.Equal("terse-robot", saved.Name);
        Assert.Equal("You are a terse robot.", saved.SystemPrompt);
        Assert.Equal(0.3, PresetService.Parameters(saved)["temperature"]!.GetValue<double>());

        // A taken name is refused beside the field.
        page.Find("button[data-testid=open-save-preset]").Click();
        page.WaitForElement("input[data-testid=preset-name]").Input("terse-robot");
        page.Find("button[data-testid=save-preset]").Click();
        page.WaitForAssertion(() => Assert.Contains("You already have a preset named 'terse-robot'.", page.Find("[data-testid=save-preset-dialog]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_conversation_and_settings_come_back_from_browser_storage_and_are_saved_after_a_reply()
    {
        await SignInNewUserAsync(credits: 5m);
        var draft = new PlaygroundDraft
        {
            Settings = new PlaygroundSettings { Model = "akashml/tiny-random", SystemPrompt = "Remembered prompt", Numbers = { ["temperature"] = 0.7, ["max_tokens"] = 5 } },
            Turns =
            [
                new PlaygroundTurn
                {
                    User = "An earlier question",
                    Replies = { ["akashml/tiny-random"] = new PlaygroundReply { Text = "An **earlier** answer", State = ReplyState.Done } },
                },
            ],
        };
        JSInterop.Setup<string?>("akashml.load", _ => true).SetResult(JsonSerializer.Serialize(draft, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        var saves = JSInterop.Setup<bool>("akashml.save", _ => true);
        saves.SetResult(true);

        var page = RenderPlayground();

        page.WaitForAssertion(() => Assert.Contains("An earlier question", page.Find("[data-testid=user-message]").TextContent, StringComparison.Ordinal));
        Assert.Contains("<strong>earlier</strong>", page.Find("[data-testid=reply] .pg-md").InnerHtml, StringComparison.Ordinal);
        Assert.Equal("Remembered prompt", page.Find("textarea[data-testid=system-prompt]").GetAttribute("value") ?? page.Find("textarea[data-testid=system-prompt]").TextContent);
        Assert.Equal("0.7", page.Find("#pg-param-temperature").GetAttribute("value"));

        Send(page, "And a follow-up");
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=reply][data-state=done]").Count), Generation);
        page.WaitForAssertion(() =>
        {
            var stored = JsonSerializer.Deserialize<PlaygroundDraft>((string)saves.Invocations.Last().Arguments[1]!, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            Assert.Equal(2, stored.Turns.Count);
            Assert.Equal(ReplyState.Done, stored.Turns[1].Replies["akashml/tiny-random"].State);
            Assert.Equal("Remembered prompt", stored.Settings.SystemPrompt);
        });
    }

    [Fact]
    public async Task An_unknown_model_in_the_link_is_explained()
    {
        await SignInNewUserAsync(credits: 5m);
        Services.GetRequiredService<NavigationManager>().NavigateTo("playground?model=nope%2Fnone");

        var page = RenderPlayground();

        Assert.Contains("The model 'nope/none' is not available", page.Find("[data-testid=start-warning]").TextContent, StringComparison.Ordinal);
        Assert.Single(page.FindAll("[data-testid=column]"));
    }

    private IRenderedComponent<PlaygroundHarness> RenderPlayground()
    {
        var page = Render<PlaygroundHarness>();
        page.WaitForElement("[data-testid=playground][data-ready=true]");
        return page;
    }

    private static void Send(IRenderedComponent<PlaygroundHarness> page, string text)
    {
        page.WaitForAssertion(() => Assert.NotNull(page.Find("textarea[data-testid=message]")));
        page.Find("textarea[data-testid=message]").Input(text);
        page.WaitForAssertion(() => Assert.False(page.Find("button[data-testid=send]").HasAttribute("disabled")));
        page.Find("button[data-testid=send]").Click();
    }

    private static IElement WaitForReply(IRenderedComponent<PlaygroundHarness> page, string state) =>
        page.WaitForElement($"[data-testid=reply][data-state={state}]", Generation);

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private async Task<UsageRecord> UsageAsync(string inferenceId)
    {
        await HostService<UsageWriter>().FlushAsync(CancellationToken.None);
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AkashDbContext>().UsageRecords.AsNoTracking().SingleAsync(u => u.InferenceId == inferenceId);
    }
}
