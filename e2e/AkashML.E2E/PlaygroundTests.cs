using AkashML.E2E.Infrastructure;
using AkashML.Inference.Building.TinyRandom;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// The playground in Chromium against the real host, in its circuit: the inline 402 with the way to add credits, a
/// reply that streams, the app bar balance moving after it without a reload, Stop mid-stream then Regenerate, the
/// conversation surviving a reload, compare mode streaming two columns at once with each column's own "view code",
/// and the phone layout. Every step leaves a screenshot.
/// </summary>
public sealed class PlaygroundTests : BrowserTest
{
    private const string FirstModel = "akashml/tiny-random";
    private const string SecondModel = "akashml/tiny-random-b";

    // Two models: the built-in one and a copy under another id, both in the models directory before start. Both may
    // write long answers (greedy decoding of random weights never picks its end token), so there is time to stop.
    protected override Task<HostProcess> StartHostAsync() =>
        HostProcess.StartAsync(
            environment: new Dictionary<string, string>
            {
                [$"Models__Entries__{FirstModel}__MaxOutputTokens"] = "8192",
                [$"Models__Entries__{SecondModel}__MaxOutputTokens"] = "8192",
            },
            prepare: async data =>
            {
                var first = Path.Combine(data, "models", "akashml", "tiny-random");
                await TinyRandomModel.BuildAsync(first, CancellationToken.None);
                var second = Path.Combine(data, "models", "akashml", "tiny-random-b");
                Directory.CreateDirectory(second);
                foreach (var file in Directory.EnumerateFiles(first))
                {
                    File.Copy(file, Path.Combine(second, Path.GetFileName(file)));
                }
            });

    [ChromiumFact]
    public async Task A_chat_streams_bills_the_balance_live_stops_regenerates_survives_a_reload_and_compares_two_models()
    {
        var shots = new Screenshots("playground");
        var email = Accounts.NewEmail("play");
        await using var context = await NewContextAsync(1440, 900, timeoutMs: 30_000);
        var page = await context.NewPageAsync();
        await Accounts.SignUpAndSignInAsync(page, email);
        await OpenPlaygroundAsync(page);

        // Without credits the reply says so once, with the way to add them.
        await SendAsync(page, "Hello?");
        var refused = page.GetByTestId("reply-error");
        await Assertions.Expect(refused).ToContainTextAsync("Not enough credits");
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(await refused.InnerTextAsync(), "Not enough credits"));
        await Assertions.Expect(refused.GetByRole(AriaRole.Link, new() { Name = "Add credits on the Billing page" })).ToHaveAttributeAsync("href", "billing");
        await shots.TakeAsync(page, "playground-no-credits");
        await page.GetByTestId("clear").ClickAsync();

        // Credits granted elsewhere (the CLI) reach the app bar by its refresh; no reload anywhere below.
        await Host.RunVerbAsync("credits", "grant", "--email", email, "--usd", "5", "--reason", "e2e");
        var balance = page.GetByTestId("header-balance");
        await Assertions.Expect(balance).ToHaveAttributeAsync("data-micros", "5000000");
        await page.EvaluateAsync("() => { window.__samePage = true; }");
        await shots.TakeAsync(page, "playground-empty");

        // One model: the reply streams in, then shows its tokens, timing, cost and Inference-Id.
        await SetParameterAsync(page, "max_tokens", "40");
        await SendAsync(page, "Tell me a story about a robot.");
        var reply = page.GetByTestId("reply").First;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-state", "done");
        Assert.False(string.IsNullOrWhiteSpace(await reply.Locator(".pg-md").InnerTextAsync()));
        var meta = reply.GetByTestId("reply-meta");
        await Assertions.Expect(meta).ToContainTextAsync("tokens");
        await Assertions.Expect(meta).ToContainTextAsync("$");
        await Assertions.Expect(meta).ToContainTextAsync("inf-");
        await shots.TakeAsync(page, "playground-reply");

        // The settled reply moved the balance in the app bar, in this same page.
        await Assertions.Expect(balance).Not.ToHaveAttributeAsync("data-micros", "5000000", new() { Timeout = 10_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__samePage === true"), "the page was not reloaded");

        // Stop mid-stream: the reply keeps what was produced; Regenerate answers the same turn again.
        await SetParameterAsync(page, "temperature", "0");
        await SetParameterAsync(page, "max_tokens", "6000");
        await SendAsync(page, "Tell me everything you know.");
        var longReply = page.GetByTestId("reply").Last;
        await WaitForStreamingTextAsync(page, 1);
        await page.GetByTestId("stop").ClickAsync();
        await Assertions.Expect(longReply).ToHaveAttributeAsync("data-state", "stopped");
        await Assertions.Expect(longReply.GetByTestId("reply-meta")).ToContainTextAsync("stopped");
        Assert.False(string.IsNullOrWhiteSpace(await longReply.Locator(".pg-md").InnerTextAsync()));
        await Assertions.Expect(page.GetByTestId("send")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "playground-stopped");
        await SetParameterAsync(page, "max_tokens", "16");
        await longReply.GetByTestId("regenerate").ClickAsync();
        await Assertions.Expect(longReply).ToHaveAttributeAsync("data-state", "done");
        await Assertions.Expect(longReply.GetByTestId("reply-meta")).Not.ToContainTextAsync("stopped");
        await Assertions.Expect(page.GetByTestId("user-message")).ToHaveCountAsync(2);

        // The conversation and settings survive a reload.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("[data-testid=playground][data-ready=true]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("user-message")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("user-message").Last).ToContainTextAsync("Tell me everything you know.");
        await Assertions.Expect(page.GetByTestId("reply")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#pg-param-max_tokens")).ToHaveValueAsync("16");
        await shots.TakeAsync(page, "playground-after-reload");

        // Compare: the same conversation to two models, both columns streaming at the same time.
        await page.GetByTestId("clear").ClickAsync();
        await page.GetByTestId("compare-toggle").CheckAsync(new() { Force = true });
        await Assertions.Expect(page.GetByTestId("column")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"[data-testid=column][data-model='{SecondModel}']")).ToBeVisibleAsync();
        await SetParameterAsync(page, "max_tokens", "6000");
        await SendAsync(page, "Which of you is faster?");
        await WaitForStreamingTextAsync(page, 2);
        await shots.TakeAsync(page, "playground-compare-streaming");
        await page.GetByTestId("stop").ClickAsync();
        foreach (var model in new[] { FirstModel, SecondModel })
        {
            var column = page.Locator($"[data-testid=column][data-model='{model}']");
            await Assertions.Expect(column.GetByTestId("user-message")).ToContainTextAsync("Which of you is faster?");
            await Assertions.Expect(column.GetByTestId("reply")).ToHaveAttributeAsync("data-state", "stopped");
        }

        await shots.TakeAsync(page, "playground-compare");

        // Each column has its own "view code", for its own model.
        await page.Locator($"[data-testid=column][data-model='{SecondModel}']").GetByTestId("view-code").ClickAsync();
        var code = page.GetByTestId("code-sample");
        await Assertions.Expect(code).ToContainTextAsync(Host.BaseAddress + "v1/chat/completions");
        await Assertions.Expect(code).ToContainTextAsync(SecondModel);
        await Assertions.Expect(code).ToContainTextAsync("YOUR_API_KEY");
        await shots.TakeAsync(page, "view-code-curl");
        foreach (var (tab, marker) in new[] { ("Python", "from openai import OpenAI"), ("JavaScript", "import OpenAI"), ("C#", "HttpClient") })
        {
            await page.GetByRole(AriaRole.Tab, new() { Name = tab, Exact = true }).ClickAsync();
            await Assertions.Expect(code).ToContainTextAsync(marker);
        }

        await shots.TakeAsync(page, "view-code-csharp");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(code).ToHaveCountAsync(0);

        // Save the setup as a preset in a dialog, without leaving the page; a link with ?preset= opens it again.
        await page.GetByTestId("compare-toggle").UncheckAsync(new() { Force = true });
        await page.GetByTestId("system-prompt").FillAsync("You are a terse robot.");
        await page.GetByTestId("system-prompt").PressAsync("Tab");
        await page.GetByTestId("open-save-preset").ClickAsync();
        await page.GetByTestId("preset-name").FillAsync("terse-robot");
        await shots.TakeAsync(page, "save-preset");
        await page.GetByTestId("save-preset").ClickAsync();
        await Assertions.Expect(page.GetByTestId("save-preset-dialog")).ToHaveCountAsync(0);
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/playground$"));
        await Assertions.Expect(page.GetByText("Saved preset 'terse-robot'")).ToBeVisibleAsync();
        await page.GotoAsync("/playground?preset=terse-robot");
        await Assertions.Expect(page.Locator("[data-testid=playground][data-ready=true]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("system-prompt")).ToHaveValueAsync("You are a terse robot.");
        await shots.TakeAsync(page, "playground-from-preset");
    }

    [ChromiumFact]
    public async Task On_a_phone_the_chat_fits_the_screen_and_streams()
    {
        var shots = new Screenshots("playground-phone");
        var email = Accounts.NewEmail("phone");
        await using var context = await NewContextAsync(390, 844, timeoutMs: 30_000);
        var page = await context.NewPageAsync();
        await Accounts.SignUpAndSignInAsync(page, email);
        await Host.RunVerbAsync("credits", "grant", "--email", email, "--usd", "5", "--reason", "e2e");
        await OpenPlaygroundAsync(page);
        await shots.TakeAsync(page, "playground-phone-empty");

        await SetParameterAsync(page, "max_tokens", "60");
        // Enter sends (Shift+Enter would add a line).
        await page.GetByTestId("message").FillAsync("Write a short poem with a code block.");
        await page.GetByTestId("message").PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("user-message")).ToContainTextAsync("Write a short poem with a code block.");
        await Assertions.Expect(page.GetByTestId("message")).ToHaveValueAsync("");
        await Assertions.Expect(page.GetByTestId("reply").First).ToHaveAttributeAsync("data-state", "done");
        await page.GetByTestId("compare-toggle").CheckAsync(new() { Force = true });
        await Assertions.Expect(page.GetByTestId("column")).ToHaveCountAsync(2);

        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390, "nothing is wider than the phone");
        await shots.TakeAsync(page, "playground-phone-reply");
        await page.GetByTestId("nav-toggle").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Playground" }).First).ToBeVisibleAsync();
    }

    private static async Task OpenPlaygroundAsync(IPage page)
    {
        await page.GotoAsync("/playground");
        await Assertions.Expect(page.Locator("[data-testid=playground][data-ready=true]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Playground", Level = 1 })).ToBeVisibleAsync();
    }

    private static async Task SetParameterAsync(IPage page, string name, string value)
    {
        var field = page.Locator($"#pg-param-{name}");
        await field.FillAsync(value);
        await field.PressAsync("Tab");
        await Assertions.Expect(field).ToHaveValueAsync(value);
    }

    private static async Task SendAsync(IPage page, string text)
    {
        await page.GetByTestId("message").FillAsync(text);
        await page.GetByTestId("send").ClickAsync();
    }

    /// <summary>Waits until <paramref name="columns"/> replies are streaming with text at the same moment.</summary>
    private static Task WaitForStreamingTextAsync(IPage page, int columns) =>
        page.WaitForFunctionAsync(
            "n => [...document.querySelectorAll('[data-testid=reply][data-state=streaming]')].filter(r => (r.querySelector('.pg-md')?.textContent ?? '').trim().length > 0).length >= n",
            columns);
}
