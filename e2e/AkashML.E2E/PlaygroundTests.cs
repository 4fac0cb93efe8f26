using System.Text.RegularExpressions;
using AkashML.E2E.Infrastructure;
using AkashML.Inference.Building.TinyRandom;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// The playground in Chromium against the real host: a chat that streams a reply, compare mode with two models, view
/// code, save as preset, the Models and Presets pages. Every page visited leaves a screenshot.
/// </summary>
public sealed partial class PlaygroundTests : BrowserTest
{
    private const string FirstModel = "akashml/tiny-random";
    private const string SecondModel = "akashml/tiny-random-b";

    // Two models: the built-in one and a copy under another id, both in the models directory before start. The first
    // may write long answers, so there is time to stop one.
    protected override Task<HostProcess> StartHostAsync() =>
        HostProcess.StartAsync(environment: new Dictionary<string, string> { [$"Models__Entries__{FirstModel}__MaxOutputTokens"] = "8192" }, prepare: async data =>
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
    public async Task A_chat_streams_a_reply_then_compare_mode_streams_two_models_side_by_side()
    {
        var shots = new Screenshots("playground");
        var email = Accounts.NewEmail("play");
        await using var context = await NewContextAsync(1440, 900);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var page = await context.NewPageAsync();
        await Accounts.SignUpAndSignInAsync(page, email);

        // Without credits the reply is an inline error that says what to do, with the way to do it.
        await page.GotoAsync("/playground");
        await Assertions.Expect(page.Locator("#playground[data-ready='true']")).ToBeVisibleAsync();
        await page.GetByTestId("message").FillAsync("Hello?");
        await page.GetByTestId("send").ClickAsync();
        var refused = page.Locator(".pg-msg.is-assistant .pg-msg-error");
        await Assertions.Expect(refused).ToContainTextAsync("Not enough credits.");
        await Assertions.Expect(refused.GetByRole(AriaRole.Link, new() { Name = "Add credits on the Billing page" })).ToHaveAttributeAsync("href", "billing");
        await shots.TakeAsync(page, "playground-no-credits");
        await page.GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
        await Host.RunVerbAsync("credits", "grant", "--email", email, "--usd", "5", "--reason", "e2e");

        // The catalog as users browse it.
        await page.GotoAsync("/models");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Models", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("article.am-model-card")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"article[data-model='{FirstModel}']").GetByText("Smoke test", new() { Exact = true })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "models");

        await page.Locator($"article[data-model='{FirstModel}']").GetByTestId("open-in-playground").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(PlaygroundUrl());
        await Assertions.Expect(page.Locator("#playground[data-ready='true']")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("model-picker")).ToHaveValueAsync(FirstModel);
        await Assertions.Expect(page.GetByLabel("Temperature", new() { Exact = true }).First).ToBeVisibleAsync();
        await shots.TakeAsync(page, "playground-empty");

        // One model: the reply streams in (an event stream), with its tokens, timing and cost underneath.
        await page.GetByTestId("message").FillAsync("Tell me a story about a robot.");
        var streamed = page.WaitForResponseAsync(r => r.Url.EndsWith("/dashboard/api/chat/completions", StringComparison.Ordinal));
        await page.GetByTestId("send").ClickAsync();
        var response = await streamed;
        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/event-stream", response.Headers["content-type"], StringComparison.Ordinal);
        var reply = page.Locator(".pg-msg.is-assistant").First;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-state", "done");
        Assert.False(string.IsNullOrWhiteSpace(await reply.Locator(".pg-msg-body").InnerTextAsync()));
        await Assertions.Expect(reply.Locator(".pg-msg-meta")).ToContainTextAsync("tokens");
        await Assertions.Expect(reply.Locator(".pg-msg-meta")).ToContainTextAsync("$");
        await Assertions.Expect(reply.Locator(".pg-msg-meta")).ToContainTextAsync("inf-");
        await shots.TakeAsync(page, "playground-reply");

        // Edit and resend replaces the turn; regenerate runs it again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await page.GetByLabel("Edit message").FillAsync("Tell me a joke instead.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".pg-msg.is-user")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".pg-msg.is-user")).ToContainTextAsync("joke instead");
        await Assertions.Expect(page.Locator(".pg-msg.is-assistant").First).ToHaveAttributeAsync("data-state", "done");

        // Stop ends a long answer where it is; regenerate then answers the same turn again. (Greedy decoding of the
        // random-weights model loops without ever choosing its end token, so the answer runs until stopped.)
        var maxTokens = page.GetByLabel("Max tokens", new() { Exact = true }).First;
        await maxTokens.FillAsync("4000");
        await page.GetByLabel("Temperature", new() { Exact = true }).First.FillAsync("0");
        await page.GetByTestId("message").FillAsync("Tell me everything you know.");
        await page.GetByTestId("send").ClickAsync();
        var longReply = page.Locator(".pg-msg.is-assistant").Last;
        await Assertions.Expect(longReply).ToHaveAttributeAsync("data-state", "streaming");
        await page.GetByTestId("stop").ClickAsync();
        await Assertions.Expect(longReply).ToHaveAttributeAsync("data-state", "done");
        await Assertions.Expect(longReply.Locator(".pg-msg-meta")).ToContainTextAsync("stopped");
        await Assertions.Expect(page.GetByTestId("send")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "playground-stopped");
        await maxTokens.FillAsync("16");
        await longReply.GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();
        await Assertions.Expect(longReply).ToHaveAttributeAsync("data-state", "done");
        await Assertions.Expect(longReply.Locator(".pg-msg-meta")).Not.ToContainTextAsync("stopped");
        await Assertions.Expect(page.Locator(".pg-msg.is-user")).ToHaveCountAsync(2);

        // Compare mode: the same conversation to two models, streaming in parallel into two columns.
        await page.GetByTestId("clear").ClickAsync();
        await page.GetByTestId("compare-toggle").CheckAsync();
        await page.GetByTestId("compare-model-1").SelectOptionAsync(SecondModel);
        await Assertions.Expect(page.Locator(".pg-column")).ToHaveCountAsync(2);
        await page.GetByTestId("message").FillAsync("Which of you is faster?");
        await page.GetByTestId("send").ClickAsync();
        foreach (var model in new[] { FirstModel, SecondModel })
        {
            var column = page.Locator($".pg-column[data-model='{model}']");
            await Assertions.Expect(column.Locator(".pg-msg.is-user")).ToContainTextAsync("Which of you is faster?");
            await Assertions.Expect(column.Locator(".pg-msg.is-assistant")).ToHaveAttributeAsync("data-state", "done");
            await Assertions.Expect(column.Locator(".pg-msg-meta")).ToContainTextAsync("tok/s");
        }

        await shots.TakeAsync(page, "playground-compare");

        // View code: the current request for the user's base URL with a key placeholder, in four languages.
        await page.GetByTestId("view-code").ClickAsync();
        var code = page.GetByTestId("code-sample");
        await Assertions.Expect(code).ToContainTextAsync(Host.BaseAddress + "v1/chat/completions");
        await Assertions.Expect(code).ToContainTextAsync("YOUR_API_KEY");
        await shots.TakeAsync(page, "view-code-curl");
        foreach (var (tab, marker) in new[] { ("Python", "from openai import OpenAI"), ("JavaScript", "import OpenAI"), ("C#", "HttpClient") })
        {
            await page.GetByRole(AriaRole.Tab, new() { Name = tab, Exact = true }).ClickAsync();
            await Assertions.Expect(code).ToContainTextAsync(marker);
        }

        await shots.TakeAsync(page, "view-code-csharp");
        await page.Keyboard.PressAsync("Escape");

        // Model output is Markdown rendered safely: markup in it is shown as text, code blocks get a copy button.
        var rendered = await page.EvaluateAsync<string>(
            "async () => (await import('/js/markdown.js')).renderMarkdown('<img src=x onerror=alert(1)> **bold**\\n\\n```js\\nlet x = 1;\\n```')");
        Assert.DoesNotContain("<img", rendered, StringComparison.Ordinal);
        Assert.Contains("&lt;img", rendered, StringComparison.Ordinal);
        Assert.Contains("<strong>bold</strong>", rendered, StringComparison.Ordinal);
        Assert.Contains("md-copy", rendered, StringComparison.Ordinal);

        // Save the setup as a preset, then open it again from the Presets page.
        await page.GetByTestId("compare-toggle").UncheckAsync();
        await page.GetByLabel("System prompt").FillAsync("You are a terse robot.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as preset" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("terse-robot");
        await shots.TakeAsync(page, "save-preset");
        await page.Locator("#pg-save-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Presets", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tr[data-preset='terse-robot']")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "presets");

        await page.GetByRole(AriaRole.Link, new() { Name = "Open terse-robot in playground" }).ClickAsync();
        await Assertions.Expect(page.Locator("#playground[data-ready='true']")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("System prompt")).ToHaveValueAsync("You are a terse robot.");
        await shots.TakeAsync(page, "playground-from-preset");

        // The preset form refuses bad input inline.
        await page.GotoAsync("/presets/new");
        await page.GetByTestId("save-preset").ClickAsync();
        await Assertions.Expect(page.GetByText("Give the preset a name.")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "preset-form-invalid");
    }


    [GeneratedRegex("/playground\\?model=")]
    private static partial Regex PlaygroundUrl();
}
