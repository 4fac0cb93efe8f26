using System.Globalization;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Billing;

/// <summary>
/// Sign-up credits: granted once per user when the email address is confirmed (by the link, or by a provider that
/// vouches for it), never again on a second click, a concurrent click or a later sign-in.
/// </summary>
public sealed class SignupCreditsTests(SignupCreditsHostPool pool) : IClassFixture<SignupCreditsHostPool>
{
    private static int s_nextId = 7_300;

    [Theory, SqliteData, PostgresData]
    public async Task Confirming_the_email_grants_the_credits_once(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("signup");
        var before = DateTimeOffset.UtcNow;
        await AccountFlows.RegisterAsync(browser, email, AccountFlows.GoodPassword);
        var userId = (await host.FindUserAsync(email))!.Id;
        Assert.Empty(await PoolsAsync(host, userId));
        var link = await AccountFlows.LinkFromOutboxAsync(browser, email);

        var confirmed = await browser.NavigateAsync(link);
        Assert.Contains("Email confirmed", confirmed.Text, StringComparison.Ordinal);
        // The link again, and twice at once (a double click): still one grant.
        await browser.NavigateAsync(link);
        using var other = host.NewBrowser();
        using var third = host.NewBrowser();
        await Task.WhenAll(other.NavigateAsync(link), third.NavigateAsync(link));

        var granted = Assert.Single(await PoolsAsync(host, userId));
        Assert.Equal((CreditSource.Trial, 2_500_000L, SignupCredits.PoolReference, SignupCredits.PoolReason),
            (granted.Source, granted.AmountMicros, granted.Reference, granted.Reason));
        Assert.InRange(granted.ExpiresAt!.Value, before + SignupCreditsHostPool.Validity, DateTimeOffset.UtcNow + SignupCreditsHostPool.Validity);

        // The person signs in to a balance, not to $0.
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        var billing = await browser.GetAsync("billing");
        Assert.Contains("data-testid=\"billing-balance\" data-micros=\"2500000\"", billing.Html, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task An_account_created_confirmed_by_GitHub_gets_the_credits_once(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        var email = AccountFlows.NewEmail("octo");
        var account = new FakeAccount(NextId(), "Octo Cat", [new FakeEmail(email, Primary: true, Verified: true)]);

        using (var browser = host.NewBrowser())
        {
            await SignInWithGitHubAsync(browser, account);
        }

        using (var later = host.NewBrowser())
        {
            await SignInWithGitHubAsync(later, account);
        }

        // One account, made confirmed by the provider, signed in twice.
        var user = await host.FindUserAsync(email);
        Assert.True(user!.EmailConfirmed);
        var granted = Assert.Single(await PoolsAsync(host, user.Id));
        Assert.Equal((CreditSource.Trial, 2_500_000L), (granted.Source, granted.AmountMicros));
    }

    [Theory, SqliteData]
    public async Task Linking_a_provider_to_an_account_confirmed_long_ago_grants_nothing_more(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        var email = AccountFlows.NewEmail("veteran");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var account = new FakeAccount(NextId(), "Veteran", [new FakeEmail(email, Primary: true, Verified: true)]);

        using var browser = host.NewBrowser();
        await SignInWithGitHubAsync(browser, account);

        Assert.Empty(await PoolsAsync(host, (await host.FindUserAsync(email))!.Id));
    }

    [Theory]
    [InlineData("-1", "00:00:00", "SignupCredits:AmountUsd must be between 0 and 10000")]
    [InlineData("0.0000001", "00:00:00", "more than six decimals")]
    [InlineData("1", "-1.00:00:00", "SignupCredits:Validity must be zero")]
    public void Bad_settings_stop_the_host_with_the_reason(string amount, string validity, string message)
    {
        var options = new SignupCreditsOptions
        {
            AmountUsd = decimal.Parse(amount, CultureInfo.InvariantCulture),
            Validity = TimeSpan.Parse(validity, CultureInfo.InvariantCulture),
        };

        var result = new SignupCreditsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new SignupCreditsOptionsValidator().Validate(null, new SignupCreditsOptions { AmountUsd = 5, Validity = TimeSpan.Zero }).Succeeded);
    }

    private async Task<HtmlPage> SignInWithGitHubAsync(BrowserSession browser, FakeAccount account)
    {
        pool.GitHub.NextAccount = account;
        var login = await browser.GetAsync("Account/Login");
        return await browser.SubmitAsync(login, login.Form("Account/PerformExternalLogin"), button: new("provider", "GitHub"));
    }

    private static Task<List<CreditPool>> PoolsAsync(AkashWebHost host, string userId) =>
        host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditPools.AsNoTracking().Where(p => p.UserId == userId).ToListAsync());

    private static string NextId() => Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture);
}
