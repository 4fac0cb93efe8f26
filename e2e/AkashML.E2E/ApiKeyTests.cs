using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.E2E.Infrastructure;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// A person signs in, creates an API key in the dialog, copies its secret, confirms they stored it and closes the
/// dialog for good; the secret works against the API, the open page shows "last used" on its own, a reload shows only
/// the last four characters and no second key; then the key is revoked. The same page on a phone does not scroll
/// sideways. Screenshots of each step.
/// </summary>
public sealed class ApiKeyTests : BrowserTest
{
    [ChromiumFact]
    public async Task Create_a_key_in_the_dialog_see_the_secret_once_use_it_and_revoke_it()
    {
        var shots = new Screenshots("api-keys");
        var email = Accounts.NewEmail("keys");
        await Host.RunVerbAsync("users", "create", "--email", email, "--password", Accounts.Password);
        await Host.RunVerbAsync("credits", "grant", "--email", email, "--usd", "5");

        await using var context = await NewContextAsync(1440, 900);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = Host.BaseAddress.ToString().TrimEnd('/') });
        var page = await context.NewPageAsync();
        await SignInToKeysAsync(page, email);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "API Keys" }).First).ToHaveAttributeAsync("href", "keys");
        await Assertions.Expect(page.GetByTestId("keys-empty")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "keys-empty");

        // Bad input first: the message shows beside the field and nothing is created.
        await page.GetByTestId("create-key").First.ClickAsync();
        var editor = page.GetByTestId("key-form");
        await Assertions.Expect(editor).ToBeVisibleAsync();
        await page.GetByTestId("key-rpm").FillAsync("-3");
        await page.GetByTestId("key-save").ClickAsync();
        await Assertions.Expect(editor.GetByText("Give the key a name")).ToBeVisibleAsync();
        await Assertions.Expect(editor.GetByText("Requests per minute must be a positive number")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("secret-dialog")).ToHaveCountAsync(0);
        await shots.TakeAsync(page, "create-invalid");

        await page.GetByTestId("key-name-input").FillAsync("e2e-app");
        await page.GetByTestId("key-rpm").FillAsync("60");
        await page.GetByTestId("key-save").ClickAsync();

        // The show-once dialog: the secret, a working copy button, and no way out but "I have stored it".
        var secretDialog = page.GetByTestId("secret-dialog");
        await Assertions.Expect(secretDialog).ToBeVisibleAsync();
        await Assertions.Expect(secretDialog).ToContainTextAsync("It will never be shown again");
        var secret = await page.GetByTestId("secret").InputValueAsync();
        Assert.StartsWith("akml-", secret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, page.Url, StringComparison.Ordinal);
        await page.GetByTestId("copy-secret").ClickAsync();
        await Assertions.Expect(page.GetByTestId("copy-secret")).ToContainTextAsync("Copied");
        Assert.Equal(secret, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Assertions.Expect(page.GetByTestId("secret-done")).ToBeDisabledAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(secretDialog).ToBeVisibleAsync();
        await shots.TakeAsync(page, "secret-shown-once");

        await page.GetByTestId("secret-stored").CheckAsync();
        await page.GetByTestId("secret-done").ClickAsync();
        await Assertions.Expect(secretDialog).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("key-mask")).ToHaveTextAsync("akml-…" + secret[^4..]);
        await Assertions.Expect(page.GetByTestId("key-last-used")).ToHaveTextAsync("Never");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);

        // The secret works against the OpenAI-compatible API; a wrong one does not.
        using var http = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using (var models = await http.GetAsync("v1/models"))
        {
            Assert.Equal(HttpStatusCode.OK, models.StatusCode);
            Assert.Contains("akashml/tiny-random", await models.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var response = await http.PostAsync("v1/chat/completions", new StringContent(
            """{"model":"akashml/tiny-random","messages":[{"role":"user","content":"Hello from the browser test"}],"max_tokens":8}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.True(body["usage"]!["completion_tokens"]!.GetValue<int>() > 0);
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "v1/models"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a'));
            using var refused = await http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // The open page follows the key's use without a reload.
        await Assertions.Expect(page.GetByTestId("key-last-used")).ToHaveTextAsync("Just now", new() { Timeout = 20_000 });
        await shots.TakeAsync(page, "last-used-live");

        // A reload neither shows the secret again nor creates a second key.
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("key-mask")).ToHaveTextAsync("akml-…" + secret[^4..]);
        await Assertions.Expect(page.GetByTestId("key-name")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("secret-dialog")).ToHaveCountAsync(0);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await shots.TakeAsync(page, "keys-after-reload");

        // Revoke asks first, then the key stops working at once.
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke e2e-app" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("revoke-dialog")).ToContainTextAsync("Revoke e2e-app?");
        await shots.TakeAsync(page, "revoke-confirm");
        await page.GetByTestId("confirm-revoke").ClickAsync();
        await Assertions.Expect(page.GetByTestId("key-status")).ToHaveTextAsync("Revoked");
        await Assertions.Expect(page.GetByText("Requests with it are now refused.")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "revoked");
        using var afterRevoke = await http.GetAsync("v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);

        await PhoneAsync(email, shots);
    }

    /// <summary>
    /// Signs in with the sign-in page's return address set to the keys page, so the flow starts there (the overview the
    /// plain sign-in lands on belongs to another flow, and its state must not decide this one).
    /// </summary>
    private static async Task SignInToKeysAsync(IPage page, string email)
    {
        await page.GotoAsync("/Account/Login?ReturnUrl=%2Fkeys");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Accounts.Password);
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API keys", Exact = true })).ToBeVisibleAsync();
    }

    /// <summary>The keys page and its create dialog on a phone: no sideways scrolling, the grid scrolls in its own box.</summary>
    private async Task PhoneAsync(string email, Screenshots shots)
    {
        await using var context = await NewContextAsync(390, 844);
        var page = await context.NewPageAsync();
        await SignInToKeysAsync(page, email);
        await Assertions.Expect(page.GetByTestId("key-name")).ToHaveCountAsync(1);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the keys page scrolls sideways at 390 px");
        await shots.TakeAsync(page, "phone-keys");

        await page.GetByTestId("create-key").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("key-form")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the create dialog scrolls sideways at 390 px");
        await shots.TakeAsync(page, "phone-create");
    }
}
