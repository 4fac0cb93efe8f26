using System.Globalization;
using AkashML.E2E.Infrastructure;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// A person signs in with Google and with GitHub in Chromium: the host redirects to a local OAuth 2.0 server shaped like
/// each provider, the person authorizes on its consent page and lands signed in on the dashboard. Every page visited
/// leaves a screenshot.
/// </summary>
public sealed class ExternalSignInTests : BrowserTest
{
    private static int s_nextId = 7_300;
    private FakeOAuthProvider _github = default!;
    private FakeOAuthProvider _google = default!;

    protected override async Task<HostProcess> StartHostAsync()
    {
        _github = await FakeOAuthProvider.StartAsync(OAuthShape.GitHub);
        _google = await FakeOAuthProvider.StartAsync(OAuthShape.Google);
        _github.ShowConsentPage = true;
        _google.ShowConsentPage = true;
        var environment = _github.Settings("GitHub").Concat(_google.Settings("Google"))
            .ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value!);
        return await HostProcess.StartAsync(environment: environment);
    }

    [ChromiumFact]
    public async Task Google_sign_in_creates_the_account_links_GitHub_unlinks_Google_and_GitHub_signs_back_in()
    {
        var shots = new Screenshots("sign-in-with-google");
        var email = Accounts.NewEmail("grace");
        _google.NextAccount = new FakeAccount(NextId(), "Grace Hopper", [new FakeEmail(email, Primary: true, Verified: true)]);

        await using (var context = await NewContextAsync())
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("/");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to AkashML" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("provider-Google")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("provider-GitHub")).ToBeVisibleAsync();
            await shots.TakeAsync(page, "sign-in");

            await page.GetByTestId("provider-Google").ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Authorize AkashML" })).ToBeVisibleAsync();
            Assert.StartsWith(_google.BaseAddress.ToString(), page.Url, StringComparison.Ordinal);
            await Assertions.Expect(page.GetByTestId("consent-scope")).ToContainTextAsync("openid");
            await shots.TakeAsync(page, "google-consent");

            await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("welcome")).ToBeVisibleAsync();
            Assert.StartsWith(Host.BaseAddress.ToString(), page.Url, StringComparison.Ordinal);
            await Accounts.ExpectSignedInAsAsync(page, email);
            await shots.TakeAsync(page, "signed-in");

            // The account has the Google login and no password: Settings says so and offers GitHub to link.
            await page.GotoAsync("Account/Manage/ExternalLogins");
            await Assertions.Expect(page.GetByTestId("linked-logins")).ToContainTextAsync("Google");
            await Assertions.Expect(page.GetByText("Your only way to sign in")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Link GitHub" })).ToBeVisibleAsync();
            await shots.TakeAsync(page, "linked-accounts");

            // Link GitHub (another address is fine: the person is signed in), then unlink Google: GitHub remains.
            _github.NextAccount = new FakeAccount(NextId(), "Grace at work", [new FakeEmail(Accounts.NewEmail("grace-work"), Primary: true, Verified: true)]);
            await page.GetByRole(AriaRole.Button, new() { Name = "Link GitHub" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();
            await Assertions.Expect(page.GetByText("The external login was added")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("linked-logins")).ToContainTextAsync("GitHub");
            await shots.TakeAsync(page, "github-linked");
            await page.GetByTitle("Remove this Google login from your account").ClickAsync();
            await Assertions.Expect(page.GetByText("The external login was removed")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("linked-logins")).Not.ToContainTextAsync("Google");
            await Assertions.Expect(page.GetByText("Your only way to sign in")).ToBeVisibleAsync();
            await shots.TakeAsync(page, "google-unlinked");

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to AkashML" })).ToBeVisibleAsync();
        }

        // Another browser, later: the linked GitHub login gets the same account back.
        await using (var later = await NewContextAsync())
        {
            var page = await later.NewPageAsync();
            await page.GotoAsync("Account/Login");
            await page.GetByTestId("provider-GitHub").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("welcome")).ToBeVisibleAsync();
            await Accounts.ExpectSignedInAsAsync(page, email);
            await shots.TakeAsync(page, "signed-in-again");
        }

        Assert.True(File.Exists(Path.Combine(shots.Directory, "02-google-consent.png")));
    }

    [ChromiumFact]
    public async Task GitHub_sign_in_uses_the_verified_primary_email_and_a_cancelled_consent_signs_nobody_in()
    {
        var shots = new Screenshots("sign-in-with-github");
        var email = Accounts.NewEmail("octo");
        _github.NextAccount = new FakeAccount(NextId(), "Octo Cat",
        [
            new FakeEmail(Accounts.NewEmail("unverified"), Primary: false, Verified: false),
            new FakeEmail(email, Primary: true, Verified: true),
        ]);
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();

        // Cancelling on GitHub's page comes back to an explanation, signed out.
        await page.GotoAsync("Account/Login");
        await page.GetByTestId("provider-GitHub").ClickAsync();
        await Assertions.Expect(page.GetByTestId("consent-account")).ToHaveTextAsync("Octo Cat");
        await Assertions.Expect(page.GetByTestId("consent-scope")).ToContainTextAsync("user:email");
        await shots.TakeAsync(page, "github-consent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("external-failure")).ToContainTextAsync("GitHub did not grant access");
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveCountAsync(0);
        await shots.TakeAsync(page, "github-cancelled");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to sign in" }).ClickAsync();
        await page.GetByTestId("provider-GitHub").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("welcome")).ToBeVisibleAsync();
        await Accounts.ExpectSignedInAsAsync(page, email);
        await shots.TakeAsync(page, "signed-in");

        // The new account can use the dashboard straight away: its API keys page is there and empty.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "API Keys" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API keys" })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "api-keys");

        Assert.True(File.Exists(Path.Combine(shots.Directory, "01-github-consent.png")));
    }

    protected override async ValueTask DisposeServicesAsync()
    {
        foreach (var provider in new[] { _github, _google })
        {
            if (provider is not null)
            {
                await provider.DisposeAsync();
            }
        }
    }

    private static string NextId() => Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture);
}
