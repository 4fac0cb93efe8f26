using System.Globalization;
using System.Net;
using AkashML.Data.Identity;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests;

/// <summary>
/// GitHub- and Google-shaped OAuth 2.0 sign-in against real local authorization servers: new accounts, returning
/// logins, linking by verified email, and the refusals (unverified email, forged state, denied access).
/// </summary>
/// <remarks>
/// The fake providers are shared by the tests of this class, which xunit runs one at a time; each test sets who signs
/// in next just before starting its flow.
/// </remarks>
public sealed class ExternalSignInTests(ExternalProvidersHostPool pool) : IClassFixture<ExternalProvidersHostPool>
{
    private static int s_nextId = 4_100;

    [Theory, SqliteData, PostgresData]
    public async Task Both_configured_providers_are_offered_on_sign_in_and_sign_up(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        foreach (var path in new[] { "Account/Login", "Account/Register" })
        {
            var page = await browser.GetAsync(path);
            var form = page.Form("Account/PerformExternalLogin");
            Assert.Equal(["GitHub", "Google"], form.Buttons.Where(b => b.Key == "provider").Select(b => b.Value));
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task GitHub_sign_in_creates_a_confirmed_account_from_the_verified_primary_email(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("octo");
        var account = new FakeAccount(NextId(), "Octo Cat",
        [
            new FakeEmail(AccountFlows.NewEmail("unverified"), Primary: false, Verified: false),
            new FakeEmail(email, Primary: true, Verified: true),
            new FakeEmail(AccountFlows.NewEmail("secondary"), Primary: false, Verified: true),
        ]);

        var home = await SignInWithAsync(browser, pool.GitHub, "GitHub", account);

        Assert.True(AccountFlows.IsSignedIn(home), home.Text);
        Assert.Contains(email, home.Text, StringComparison.Ordinal);
        var user = await host.FindUserAsync(email);
        Assert.NotNull(user);
        Assert.True(user.EmailConfirmed);
        Assert.False(await HasPasswordAsync(host, user));
        Assert.Equal([("GitHub", account.Id)], await LoginsAsync(host, user));

        // The app proved itself to the token endpoint with the client secret and the PKCE verifier, and asked for the
        // scopes that reveal a private email.
        var token = pool.GitHub.TokenRequests.Last();
        Assert.True(token.Accepted);
        Assert.Equal(pool.GitHub.ClientSecret, token.ClientSecret);
        Assert.False(string.IsNullOrEmpty(token.CodeVerifier));
        Assert.Equal(new Uri(AkashWebHost.BaseAddress, "signin-github").ToString(), token.RedirectUri);
        Assert.Contains("user:email", pool.GitHub.LastScope, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Google_sign_in_creates_a_confirmed_account_and_a_second_sign_in_reuses_it(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        var email = AccountFlows.NewEmail("gmail");
        var account = new FakeAccount(NextId(), "Grace Hopper", [new FakeEmail(email, Primary: true, Verified: true)]);

        using (var browser = host.NewBrowser())
        {
            var home = await SignInWithAsync(browser, pool.Google, "Google", account);
            Assert.True(AccountFlows.IsSignedIn(home), home.Text);
            Assert.Contains("openid", pool.Google.LastScope, StringComparison.Ordinal);
        }

        var user = await host.FindUserAsync(email);
        Assert.NotNull(user);
        Assert.True(user.EmailConfirmed);

        // Later, in another browser: the same Google subject signs in to the same account, and no user is added.
        using var later = host.NewBrowser();
        var again = await SignInWithAsync(later, pool.Google, "Google", account);
        Assert.True(AccountFlows.IsSignedIn(again));
        var same = await host.FindUserAsync(email);
        Assert.Equal(user.Id, same!.Id);
        Assert.Equal([("Google", account.Id)], await LoginsAsync(host, same));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_verified_email_matching_a_password_account_links_to_it(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("linked");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var existing = await host.FindUserAsync(email);

        // Google reports the address in another case; it is the same account.
        var google = new FakeAccount(NextId(), "Linked Person", [new FakeEmail(email.ToUpperInvariant(), Primary: true, Verified: true)]);
        var home = await SignInWithAsync(browser, pool.Google, "Google", google);
        Assert.True(AccountFlows.IsSignedIn(home), home.Text);

        var github = new FakeAccount(NextId(), "Linked Person", [new FakeEmail(email, Primary: true, Verified: true)]);
        using var second = host.NewBrowser();
        Assert.True(AccountFlows.IsSignedIn(await SignInWithAsync(second, pool.GitHub, "GitHub", github)));

        var user = await host.FindUserAsync(email);
        Assert.Equal(existing!.Id, user!.Id);
        Assert.Equal([("GitHub", github.Id), ("Google", google.Id)], await LoginsAsync(host, user));

        // The password still works alongside the linked logins.
        using var third = host.NewBrowser();
        Assert.True(AccountFlows.IsSignedIn(await AccountFlows.SignInAsync(third, email, AccountFlows.GoodPassword)));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_signed_in_person_links_GitHub_from_settings_even_with_another_email_and_unlinks_it(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("settings");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        var github = new FakeAccount(NextId(), "Work Account", [new FakeEmail(AccountFlows.NewEmail("work"), Primary: true, Verified: true)]);
        pool.GitHub.NextAccount = github;

        var settings = await browser.GetAsync("Account/Manage/ExternalLogins");
        var linked = await browser.SubmitAsync(settings, settings.Form("Account/Manage/LinkExternalLogin"), button: new("Provider", "GitHub"));

        Assert.Equal("/Account/Manage/ExternalLogins", linked.Path);
        Assert.Contains("The external login was added", linked.Text, StringComparison.Ordinal);
        var user = await host.FindUserAsync(email);
        Assert.Equal([("GitHub", github.Id)], await LoginsAsync(host, user!));

        // From now on GitHub signs in to this account, whatever its email says.
        using (var later = host.NewBrowser())
        {
            var home = await SignInWithAsync(later, pool.GitHub, "GitHub", github);
            Assert.Contains(email, home.Text, StringComparison.Ordinal);
        }

        // Unlinked (the password remains), GitHub no longer reaches this account: its verified email makes another one.
        settings = await browser.GetAsync("Account/Manage/ExternalLogins");
        var unlinked = await browser.SubmitAsync(settings, "remove-login-GitHub");
        Assert.Contains("The external login was removed", unlinked.Text, StringComparison.Ordinal);
        Assert.Empty(await LoginsAsync(host, user!));
        using var afterUnlink = host.NewBrowser();
        var other = await SignInWithAsync(afterUnlink, pool.GitHub, "GitHub", github);
        Assert.True(AccountFlows.IsSignedIn(other), other.Text);
        Assert.DoesNotContain(email, other.Text, StringComparison.Ordinal);
        Assert.Equal([("GitHub", github.Id)], await LoginsAsync(host, (await host.FindUserAsync(github.Emails[0].Address))!));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Linking_to_an_unconfirmed_account_confirms_it_and_drops_the_unproven_password(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        var email = AccountFlows.NewEmail("prehijack");

        // Someone registers the address with a password but never confirms it.
        using (var squatter = host.NewBrowser())
        {
            await AccountFlows.RegisterAsync(squatter, email, AccountFlows.GoodPassword);
        }

        // The real owner signs in with GitHub, which vouches for the address.
        using var owner = host.NewBrowser();
        var github = new FakeAccount(NextId(), "Real Owner", [new FakeEmail(email, Primary: true, Verified: true)]);
        Assert.True(AccountFlows.IsSignedIn(await SignInWithAsync(owner, pool.GitHub, "GitHub", github)));

        var user = await host.FindUserAsync(email);
        Assert.True(user!.EmailConfirmed);
        Assert.False(await HasPasswordAsync(host, user));
        using var squatterAgain = host.NewBrowser();
        Assert.False(AccountFlows.IsSignedIn(await AccountFlows.SignInAsync(squatterAgain, email, AccountFlows.GoodPassword)));
    }

    [Theory, SqliteData, PostgresData]
    public async Task An_unverified_email_is_not_linked_and_the_person_is_asked_for_an_address(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("victim");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var google = new FakeAccount(NextId(), "Impostor", [new FakeEmail(email, Primary: true, Verified: false)]);

        var page = await SignInWithAsync(browser, pool.Google, "Google", google);

        Assert.Equal("/Account/ExternalLogin", page.Path);
        Assert.Contains("Finish signing up", page.Text, StringComparison.Ordinal);
        Assert.False(AccountFlows.IsSignedIn(page));
        Assert.Empty(await LoginsAsync(host, (await host.FindUserAsync(email))!));

        // Typing the taken address does not attach the login either.
        var refused = await browser.SubmitAsync(page, "confirmation", new Dictionary<string, string> { ["Input.Email"] = email });
        Assert.Contains("An account with this email already exists", refused.Text, StringComparison.Ordinal);
        Assert.Empty(await LoginsAsync(host, (await host.FindUserAsync(email))!));
    }

    [Theory, SqliteData, PostgresData]
    public async Task GitHub_without_a_verified_email_creates_the_account_only_after_email_confirmation(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var github = new FakeAccount(NextId(), "No Mail", [new FakeEmail(AccountFlows.NewEmail("unverified"), Primary: true, Verified: false)]);
        var page = await SignInWithAsync(browser, pool.GitHub, "GitHub", github);
        Assert.Contains("Finish signing up", page.Text, StringComparison.Ordinal);

        var email = AccountFlows.NewEmail("typed");
        var sent = await browser.SubmitAsync(page, "confirmation", new Dictionary<string, string> { ["Input.Email"] = email });
        Assert.Equal("/Account/RegisterConfirmation", sent.Path);
        var user = await host.FindUserAsync(email);
        Assert.False(user!.EmailConfirmed);
        Assert.Equal([("GitHub", github.Id)], await LoginsAsync(host, user));

        await browser.NavigateAsync(await AccountFlows.LinkFromOutboxAsync(browser, email));
        using var later = host.NewBrowser();
        Assert.True(AccountFlows.IsSignedIn(await SignInWithAsync(later, pool.GitHub, "GitHub", github)));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_callback_with_a_forged_state_is_refused_and_changes_nothing(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("forged");
        var github = new FakeAccount(NextId(), "Forged", [new FakeEmail(email, Primary: true, Verified: true)]);
        pool.GitHub.NextAccount = github;

        // Start a real flow, take the provider's answer, and replace its state before returning to the app.
        var callback = await CallbackFromProviderAsync(browser, "GitHub");
        var query = QueryHelpers.ParseQuery(callback.Query);
        var forged = QueryHelpers.AddQueryString(callback.GetLeftPart(UriPartial.Path), new Dictionary<string, string?>
        {
            ["code"] = query["code"],
            ["state"] = "forged-" + query["state"].ToString()[..10],
        });

        var page = await browser.NavigateAsync(new Uri(forged));

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal("/Account/ExternalLoginFailed", page.Path);
        Assert.Contains("could not be verified", page.Text, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", page.Text, StringComparison.Ordinal);
        Assert.False(AccountFlows.IsSignedIn(page));
        Assert.Null(await host.FindUserAsync(email));
        Assert.False(AccountFlows.IsSignedIn(await browser.GetAsync("/")));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_valid_state_from_another_browser_is_refused(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        var email = AccountFlows.NewEmail("replayed");
        pool.Google.NextAccount = new FakeAccount(NextId(), "Victim", [new FakeEmail(email, Primary: true, Verified: true)]);

        // An attacker starts a sign-in in their browser and lures someone else into finishing it (login CSRF).
        using var attacker = host.NewBrowser();
        var callback = await CallbackFromProviderAsync(attacker, "Google");
        using var victim = host.NewBrowser();
        var page = await victim.NavigateAsync(callback);

        Assert.Equal("/Account/ExternalLoginFailed", page.Path);
        Assert.Contains("could not be verified", page.Text, StringComparison.Ordinal);
        Assert.False(AccountFlows.IsSignedIn(page));
        Assert.Null(await host.FindUserAsync(email));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Cancelling_at_the_provider_is_explained_and_changes_nothing(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        pool.GitHub.DenyNext = true;

        var page = await SignInWithAsync(browser, pool.GitHub, "GitHub", account: null);

        Assert.Equal("/Account/ExternalLoginFailed", page.Path);
        Assert.Contains("GitHub did not grant access", page.Text, StringComparison.Ordinal);
        Assert.False(AccountFlows.IsSignedIn(page));
    }

    /// <summary>Presses the provider's button on the sign-in page and follows the whole redirect dance.</summary>
    private static async Task<HtmlPage> SignInWithAsync(BrowserSession browser, FakeOAuthProvider provider, string scheme, FakeAccount? account)
    {
        if (account is not null)
        {
            provider.NextAccount = account;
        }

        var login = await browser.GetAsync("Account/Login");
        var form = login.Form("Account/PerformExternalLogin");
        return await browser.SubmitAsync(login, form, button: new("provider", scheme));
    }

    /// <summary>Starts a flow and stops at the provider's redirect back to the app, returning that callback URL.</summary>
    private static async Task<Uri> CallbackFromProviderAsync(BrowserSession browser, string scheme)
    {
        var login = await browser.GetAsync("Account/Login");
        var form = login.Form("Account/PerformExternalLogin");
        var fields = new Dictionary<string, string>(form.Fields) { ["provider"] = scheme };
        using var challenge = await browser.SendOnceAsync(HttpMethod.Post, login.Resolve(form.Action!), new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        using var authorize = await browser.SendOnceAsync(HttpMethod.Get, challenge.Headers.Location!);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        return authorize.Headers.Location!;
    }

    private static string NextId() => Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture);

    private static Task<List<(string Provider, string Key)>> LoginsAsync(AkashWebHost host, ApplicationUser user) =>
        host.WithServicesAsync(async sp =>
            (await sp.GetRequiredService<UserManager<ApplicationUser>>().GetLoginsAsync(user))
                .Select(l => (l.LoginProvider, l.ProviderKey))
                .OrderBy(l => l.LoginProvider, StringComparer.Ordinal)
                .ToList());

    private static Task<bool> HasPasswordAsync(AkashWebHost host, ApplicationUser user) =>
        host.WithServicesAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.HasPasswordAsync((await users.FindByIdAsync(user.Id))!);
        });
}
