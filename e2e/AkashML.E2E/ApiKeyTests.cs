using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.E2E.Infrastructure;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// A person signs in, creates an API key, sees its secret once, reloads and sees only the last four characters, and the
/// secret works against the API. Then the usage and inferences pages show that request. Screenshots of each page.
/// </summary>
public sealed class ApiKeyTests : BrowserTest
{
    [ChromiumFact]
    public async Task Create_a_key_see_the_secret_once_then_only_its_last_four_and_call_the_API_with_it()
    {
        var shots = new Screenshots("api-keys");
        var email = Accounts.NewEmail("keys");
        await Host.RunVerbAsync("users", "create", "--email", email, "--password", Accounts.Password);
        await Host.RunVerbAsync("credits", "grant", "--email", email, "--usd", "5");

        await using var context = await NewContextAsync(1280, 860);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = Host.BaseAddress.ToString().TrimEnd('/') });
        var page = await context.NewPageAsync();

        await Accounts.SignInAsync(page, email);

        await page.GetByRole(AriaRole.Link, new() { Name = "API Keys" }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API keys", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("keys-empty")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "keys-empty");

        // Bad input first: the message shows beside the field and nothing is created.
        await page.GetByTestId("create-key").ClickAsync();
        await Assertions.Expect(page.GetByText("Give the key a name")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("secret-panel")).ToHaveCountAsync(0);
        await shots.TakeAsync(page, "create-invalid");

        await page.GetByLabel("Name").FillAsync("e2e-app");
        await page.GetByLabel("Requests per minute").FillAsync("60");
        await page.GetByTestId("create-key").ClickAsync();
        var panel = page.GetByTestId("secret-panel");
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await Assertions.Expect(panel).ToContainTextAsync("It will never be shown again");
        var secret = await page.GetByTestId("secret").InputValueAsync();
        Assert.StartsWith("akml-", secret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, page.Url, StringComparison.Ordinal);
        await page.GetByTestId("copy-secret").ClickAsync();
        await Assertions.Expect(page.GetByTestId("copy-secret")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("Copied|Ctrl\\+C"));
        await shots.TakeAsync(page, "secret-shown-once");

        // Coming back to the page: no panel, the key only as prefix + last four.
        await page.GotoAsync("/keys");
        await Assertions.Expect(page.GetByTestId("secret-panel")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("key-mask")).ToHaveTextAsync("akml-…" + secret[^4..]);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await shots.TakeAsync(page, "keys-after-reload");

        // The secret works against the OpenAI-compatible API.
        using var http = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await http.PostAsync("v1/chat/completions", new StringContent(
            """{"model":"akashml/tiny-random","messages":[{"role":"user","content":"Hello from the browser test"}],"max_tokens":8}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(body["usage"]!["completion_tokens"]!.GetValue<int>() > 0);
        var inferenceId = response.Headers.GetValues("Inference-Id").Single();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a'));
        using var wrong = await http.GetAsync("v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        // The request shows on the usage page and can be looked up by its id.
        await page.GetByRole(AriaRole.Link, new() { Name = "Usage" }).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("total-requests")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator($"tr[data-inference-id='{inferenceId}']")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "usage");

        await page.GotoAsync("/inferences");
        await page.GetByLabel("Inference id").FillAsync(inferenceId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("inference-id")).ToHaveTextAsync(inferenceId);
        await Assertions.Expect(page.GetByTestId("inference-detail")).ToContainTextAsync("e2e-app");
        await shots.TakeAsync(page, "inference-detail");

        await page.GotoAsync("/keys");
        await page.GetByRole(AriaRole.Link, new() { Name = "Revoke e2e-app" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("revoke-panel")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "revoke-confirm");
        await page.GetByTestId("confirm-revoke").ClickAsync();
        await Assertions.Expect(page.GetByTestId("key-status")).ToHaveTextAsync("Revoked");
        await shots.TakeAsync(page, "revoked");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var afterRevoke = await http.GetAsync("v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
    }


}
