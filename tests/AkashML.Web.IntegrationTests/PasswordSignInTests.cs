using System.Net;
using AkashML.Data.Identity;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests;

/// <summary>Email and password accounts through the real pages: sign-up, confirmation, sign-in and out, lockout, reset.</summary>
public sealed class PasswordSignInTests(HostPool hosts) : IClassFixture<HostPool>
{
    [Theory, SqliteData, PostgresData]
    public async Task Register_confirm_sign_in_and_sign_out(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail();

        var registered = await AccountFlows.RegisterAsync(browser, email, AccountFlows.GoodPassword);
        Assert.Equal("/Account/RegisterConfirmation", registered.Path);
        Assert.Contains("Check your email", registered.Text, StringComparison.Ordinal);
        Assert.Contains("dev outbox", registered.Text, StringComparison.Ordinal);
        var user = await host.FindUserAsync(email);
        Assert.NotNull(user);
        Assert.False(user.EmailConfirmed);

        // Not confirmed yet: the password is right, but sign-in is refused with a clear reason.
        var early = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.Contains("Confirm your email address before signing in", early.Text, StringComparison.Ordinal);
        Assert.False(AccountFlows.IsSignedIn(early));

        var link = await AccountFlows.LinkFromOutboxAsync(browser, email);
        Assert.Equal("/Account/ConfirmEmail", link.AbsolutePath);
        var confirmed = await browser.NavigateAsync(link);
        Assert.Equal(HttpStatusCode.OK, confirmed.Status);
        Assert.Contains("Email confirmed", confirmed.Text, StringComparison.Ordinal);
        Assert.True((await host.FindUserAsync(email))!.EmailConfirmed);

        var home = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.Equal("/", home.Path);
        Assert.True(AccountFlows.IsSignedIn(home));
        Assert.Contains("Welcome to AkashML", home.Text, StringComparison.Ordinal);
        Assert.Contains(email, home.Text, StringComparison.Ordinal);
        foreach (var section in new[] { "Playground", "Models", "API Keys", "Usage", "Billing", "Presets", "Settings" })
        {
            Assert.Contains(section, home.Text, StringComparison.Ordinal);
        }

        // A page that needs an account opens now.
        var settings = await browser.GetAsync("Account/Manage");
        Assert.Equal("/Account/Manage", settings.Path);

        var signedOut = await AccountFlows.SignOutAsync(browser, home);
        Assert.False(AccountFlows.IsSignedIn(signedOut));
        Assert.Contains("Sign in to AkashML", signedOut.Text, StringComparison.Ordinal);

        // And the same page now sends the visitor to sign in.
        var again = await browser.GetAsync("Account/Manage");
        Assert.Equal("/Account/Login", again.Path);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Signing_in_from_the_home_page_works_and_a_wrong_password_says_so(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail();
        await AccountFlows.CreateConfirmedUserAsync(host, email);

        var wrong = await AccountFlows.SignInAsync(browser, email, "Wrong-Passw0rd!", startPage: "/");
        Assert.Contains("Invalid email or password", wrong.Text, StringComparison.Ordinal);
        Assert.False(AccountFlows.IsSignedIn(wrong));

        var right = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword, startPage: "/");
        Assert.True(AccountFlows.IsSignedIn(right));
        Assert.Equal(0, (await host.FindUserAsync(email))!.AccessFailedCount);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Five_failed_attempts_lock_the_account_even_against_the_right_password(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("lockout");
        await AccountFlows.CreateConfirmedUserAsync(host, email);

        for (var attempt = 1; attempt < AccountsRegistration.MaxFailedAccessAttempts; attempt++)
        {
            var failed = await AccountFlows.SignInAsync(browser, email, "Wrong-Passw0rd!" + attempt);
            Assert.Contains("Invalid email or password", failed.Text, StringComparison.Ordinal);
        }

        // The attempt that locks the account still reads like any wrong password: only the password tells.
        var locking = await AccountFlows.SignInAsync(browser, email, "Wrong-Passw0rd!last");
        Assert.Equal("/Account/Login", locking.Path);
        Assert.Contains("Invalid email or password", locking.Text, StringComparison.Ordinal);

        var user = await host.FindUserAsync(email);
        Assert.NotNull(user?.LockoutEnd);
        Assert.True(user.LockoutEnd > DateTimeOffset.UtcNow.AddMinutes(10));

        var stillLocked = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.Equal("/Account/Lockout", stillLocked.Path);
        Assert.Contains("Account temporarily locked", stillLocked.Text, StringComparison.Ordinal);
        Assert.False(AccountFlows.IsSignedIn(stillLocked));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_failed_sign_in_does_not_tell_whether_the_email_has_an_account(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var confirmed = AccountFlows.NewEmail("known");
        await AccountFlows.CreateConfirmedUserAsync(host, confirmed);
        var unconfirmed = AccountFlows.NewEmail("unconfirmed");
        await AccountFlows.RegisterAsync(browser, unconfirmed, AccountFlows.GoodPassword);
        var locked = AccountFlows.NewEmail("locked");
        await AccountFlows.CreateConfirmedUserAsync(host, locked);
        for (var attempt = 0; attempt < AccountsRegistration.MaxFailedAccessAttempts; attempt++)
        {
            await AccountFlows.SignInAsync(browser, locked, "Wrong-Passw0rd!" + attempt);
        }

        var unknown = await AccountFlows.SignInAsync(browser, AccountFlows.NewEmail("nobody"), "Wrong-Passw0rd!");
        Assert.Equal("/Account/Login", unknown.Path);
        Assert.Contains("Invalid email or password", unknown.Text, StringComparison.Ordinal);
        foreach (var email in new[] { confirmed, unconfirmed, locked })
        {
            var page = await AccountFlows.SignInAsync(browser, email, "Wrong-Passw0rd!");
            Assert.Equal(unknown.Path, page.Path);
            Assert.Equal(unknown.Text, page.Text);
        }

        // The right password is what earns the specific answer.
        var early = await AccountFlows.SignInAsync(browser, unconfirmed, AccountFlows.GoodPassword);
        Assert.Contains("Confirm your email address before signing in", early.Text, StringComparison.Ordinal);
        Assert.Equal("/Account/Lockout", (await AccountFlows.SignInAsync(browser, locked, AccountFlows.GoodPassword)).Path);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Password_reset_replaces_the_password(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("reset");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        const string NewPassword = "N3w-Secret-Phrase!";

        var forgot = await browser.GetAsync("Account/ForgotPassword");
        var sent = await browser.SubmitAsync(forgot, "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
        Assert.Equal("/Account/ForgotPasswordConfirmation", sent.Path);

        var link = await AccountFlows.LinkFromOutboxAsync(browser, email, "ResetPassword");
        var resetPage = await browser.NavigateAsync(link);
        Assert.Equal(HttpStatusCode.OK, resetPage.Status);
        var done = await browser.SubmitAsync(resetPage, "reset-password", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = NewPassword,
            ["Input.ConfirmPassword"] = NewPassword,
        });
        Assert.Equal("/Account/ResetPasswordConfirmation", done.Path);

        var old = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.False(AccountFlows.IsSignedIn(old));
        var fresh = await AccountFlows.SignInAsync(browser, email, NewPassword);
        Assert.True(AccountFlows.IsSignedIn(fresh));

        // The link works once: reusing it is refused with a message, and the password stays.
        using var other = host.NewBrowser();
        var reuse = await other.NavigateAsync(link);
        var refused = await other.SubmitAsync(reuse, "reset-password", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "An0ther-Secret!",
            ["Input.ConfirmPassword"] = "An0ther-Secret!",
        });
        Assert.Contains("invalid or has expired", refused.Text, StringComparison.Ordinal);
        Assert.True(AccountFlows.IsSignedIn(await AccountFlows.SignInAsync(other, email, NewPassword)));
    }

    [Theory, SqliteData, PostgresData]
    public async Task The_first_registered_user_becomes_administrator_and_later_ones_do_not(DatabaseKind kind)
    {
        // Its own empty database: "first" must really be first.
        await using var host = await AkashWebHost.StartAsync(kind);
        using var browser = host.NewBrowser();
        var first = AccountFlows.NewEmail("first");
        var second = AccountFlows.NewEmail("second");

        await AccountFlows.RegisterAsync(browser, first, AccountFlows.GoodPassword);
        await AccountFlows.RegisterAsync(browser, second, AccountFlows.GoodPassword);

        var roles = await host.WithServicesAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<ApplicationUser>>();
            return (
                First: await users.IsInRoleAsync((await users.FindByEmailAsync(first))!, AccountProvisioning.AdministratorRole),
                Second: await users.IsInRoleAsync((await users.FindByEmailAsync(second))!, AccountProvisioning.AdministratorRole));
        });
        Assert.True(roles.First);
        Assert.False(roles.Second);

        await browser.NavigateAsync(await AccountFlows.LinkFromOutboxAsync(browser, first));
        var page = await AccountFlows.SignInAsync(browser, first, AccountFlows.GoodPassword);
        Assert.Contains("Admin", page.Text, StringComparison.Ordinal);
    }
}
