using System.Net;
using AkashML.Data;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests;

/// <summary>Bad input to the account pages gets a clear message and changes nothing.</summary>
public sealed class BadInputTests(HostPool hosts) : IClassFixture<HostPool>
{
    [Theory, SqliteData, PostgresData]
    public async Task A_malformed_email_is_rejected_and_no_account_is_created(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var before = await CountUsersAsync(host);

        var page = await AccountFlows.RegisterAsync(browser, "not-an-email", AccountFlows.GoodPassword);

        Assert.Equal("/Account/Register", page.Path);
        Assert.Contains("Enter a valid email address", page.Text, StringComparison.Ordinal);
        Assert.Equal(before, await CountUsersAsync(host));
        Assert.DoesNotContain(host.Outbox.Snapshot(), e => e.Email.To == "not-an-email");
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_weak_password_is_rejected_with_the_rules_it_breaks(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("weak");

        var tooShort = await AccountFlows.RegisterAsync(browser, email, "abc");
        Assert.Contains("at least 8", tooShort.Text, StringComparison.Ordinal);

        var simple = await AccountFlows.RegisterAsync(browser, email, "alllowercase");
        Assert.Equal("/Account/Register", simple.Path);
        Assert.Contains("non alphanumeric", simple.Text, StringComparison.Ordinal);
        Assert.Contains("uppercase", simple.Text, StringComparison.Ordinal);
        Assert.Contains("digit", simple.Text, StringComparison.Ordinal);

        var mismatch = await AccountFlows.RegisterAsync(browser, email, AccountFlows.GoodPassword, "Different-Passw0rd!");
        Assert.Contains("The two passwords do not match", mismatch.Text, StringComparison.Ordinal);

        Assert.Null(await host.FindUserAsync(email));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_duplicate_email_is_answered_like_a_new_one_the_owner_is_told_and_the_account_is_untouched(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("dup");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var original = await host.FindUserAsync(email);

        var duplicate = await AccountFlows.RegisterAsync(browser, email.ToUpperInvariant(), "Other-Passw0rd!");
        var fresh = AccountFlows.NewEmail("dup");
        var created = await AccountFlows.RegisterAsync(browser, fresh.ToUpperInvariant(), "Other-Passw0rd!");

        // A stranger cannot tell the two apart: the same page, the same words but for the address they typed.
        Assert.Equal("/Account/RegisterConfirmation", duplicate.Path);
        Assert.Equal(created.Path, duplicate.Path);
        Assert.Equal(created.Text.Replace(fresh.ToUpperInvariant(), "ADDRESS", StringComparison.Ordinal),
            duplicate.Text.Replace(email.ToUpperInvariant(), "ADDRESS", StringComparison.Ordinal));
        Assert.DoesNotContain("already", duplicate.Text, StringComparison.OrdinalIgnoreCase);

        // The address's owner learns of the attempt, with a way to sign in.
        var signIn = await AccountFlows.LinkFromOutboxAsync(browser, email.ToUpperInvariant(), "AccountExists");
        Assert.Equal("/Account/Login", signIn.AbsolutePath);

        var after = await host.FindUserAsync(email);
        Assert.Equal(original!.PasswordHash, after!.PasswordHash);
        Assert.Equal(1, await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().Users.CountAsync(u => u.NormalizedEmail == email.ToUpperInvariant())));
        Assert.True(AccountFlows.IsSignedIn(await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword)));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_form_post_without_the_antiforgery_token_is_refused_with_400(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("csrf");

        // The fields a forged cross-site form would send: everything but the token.
        var page = await browser.PostRawAsync("Account/Register", new Dictionary<string, string>
        {
            ["_handler"] = "register",
            ["Input.Email"] = email,
            ["Input.Password"] = AccountFlows.GoodPassword,
            ["Input.ConfirmPassword"] = AccountFlows.GoodPassword,
        });

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Contains("The form could not be verified", page.Text, StringComparison.Ordinal);
        Assert.Null(await host.FindUserAsync(email));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_sign_out_post_without_the_antiforgery_token_does_not_sign_out(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("csrf-out");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        Assert.True(AccountFlows.IsSignedIn(await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword)));

        var refused = await browser.PostRawAsync("Account/Logout", new Dictionary<string, string> { ["ReturnUrl"] = "" });

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("The form could not be verified", refused.Text, StringComparison.Ordinal);
        Assert.True(AccountFlows.IsSignedIn(await browser.GetAsync("/")));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_mangled_confirmation_link_says_so_and_confirms_nothing(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("mangled");
        await AccountFlows.RegisterAsync(browser, email, AccountFlows.GoodPassword);
        var user = await host.FindUserAsync(email);

        foreach (var code in new[] { "%%%not-base64%%%", "QUJD", "" })
        {
            var page = await browser.GetAsync($"Account/ConfirmEmail?userId={user!.Id}&code={Uri.EscapeDataString(code)}");
            Assert.Equal(HttpStatusCode.BadRequest, page.Status);
            Assert.Contains("invalid or has expired", page.Text, StringComparison.Ordinal);
        }

        var reset = await browser.GetAsync("Account/ResetPassword?code=%25%25bad");
        Assert.Equal("/Account/InvalidPasswordReset", reset.Path);
        Assert.False((await host.FindUserAsync(email))!.EmailConfirmed);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Without_providers_configured_no_external_buttons_are_shown_and_unknown_providers_are_refused(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();

        var login = await browser.GetAsync("Account/Login");
        Assert.DoesNotContain(login.Forms, f => f.Action?.EndsWith("PerformExternalLogin", StringComparison.Ordinal) == true);
        Assert.DoesNotContain("Continue with", login.Text, StringComparison.Ordinal);

        // A hand-made post naming a provider that is not configured gets a message, not an error.
        var token = login.Form("login").Fields["__RequestVerificationToken"];
        var page = await browser.PostRawAsync("Account/PerformExternalLogin", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["provider"] = "GitHub",
            ["ReturnUrl"] = "",
        });
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("/Account/Login", page.Path);
        Assert.Contains("that sign-in provider is not available", page.Text, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_return_url_to_another_site_is_ignored_after_sign_in(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        var email = AccountFlows.NewEmail("redirect");
        await AccountFlows.CreateConfirmedUserAsync(host, email);

        foreach (var target in new[] { "https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)" })
        {
            using var browser = host.NewBrowser();
            var page = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword, "Account/Login?ReturnUrl=" + Uri.EscapeDataString(target));
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Equal(AkashWebHost.BaseAddress.Authority, page.Url.Authority);
            Assert.Equal("/", page.Path);
            Assert.True(AccountFlows.IsSignedIn(page));
        }

        // A return URL on this site is honoured.
        using var local = host.NewBrowser();
        var settings = await AccountFlows.SignInAsync(local, email, AccountFlows.GoodPassword, "Account/Login?ReturnUrl=" + Uri.EscapeDataString("Account/Manage/Email"));
        Assert.Equal("/Account/Manage/Email", settings.Path);
    }

    private static Task<int> CountUsersAsync(AkashWebHost host) =>
        host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().Users.CountAsync());
}
