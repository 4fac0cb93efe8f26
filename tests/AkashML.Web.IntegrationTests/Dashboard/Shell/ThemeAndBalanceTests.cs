using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Shell;

/// <summary>The shell through HTTP: the balance in every dashboard page's app bar, the theme rendered from the cookie (the overview's checklist is covered by bunit tests).</summary>
public sealed class ThemeAndBalanceTests(HostPool hosts) : IClassFixture<HostPool>
{
    [Theory, SqliteData]
    public async Task The_theme_toggle_without_script_sets_the_cookie_and_the_server_renders_it(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("theme");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var home = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.Contains("<html lang=\"en\" data-theme=\"light\">", home.Html, StringComparison.Ordinal);

        // The static account pages switch with a form post (the dashboard switches in its circuit).
        var settings = await browser.GetAsync("Account/Manage/Email?from=theme");
        var dark = await browser.SubmitAsync(settings, settings.Form("theme"));
        Assert.Equal("/Account/Manage/Email", dark.Path);
        Assert.Equal("?from=theme", dark.Url.Query);
        Assert.Contains("<html lang=\"en\" data-theme=\"dark\">", dark.Html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"Switch to light theme\"", dark.Html, StringComparison.Ordinal);

        var light = await browser.SubmitAsync(dark, dark.Form("theme"));
        Assert.Contains("<html lang=\"en\" data-theme=\"light\">", light.Html, StringComparison.Ordinal);

        // Anything but light or dark is refused; a return address never leaves the site.
        var odd = await browser.SubmitAsync(light, light.Form("theme"), new Dictionary<string, string> { ["theme"] = "purple" });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, odd.Status);
        var offsite = await browser.SubmitAsync(light, light.Form("theme"), new Dictionary<string, string> { ["returnUrl"] = "//evil.example/" });
        Assert.Equal(AkashWebHost.BaseAddress.Authority, offsite.Url.Authority);
        Assert.Equal("/evil.example/", offsite.Path);
    }

    [Theory, SqliteData]
    public async Task Every_page_header_shows_the_balance(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("header");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;
        var home = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.Contains("data-testid=\"header-balance\" data-micros=\"0\"", home.Html, StringComparison.Ordinal);

        await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GrantAsync(userId, CreditSource.AdminGrant, 4_200_000, null, "header", null, CancellationToken.None));
        foreach (var path in new[] { "", "billing", "keys", "usage" })
        {
            var page = await browser.GetAsync(path);
            Assert.Contains("data-testid=\"header-balance\" data-micros=\"4200000\"", page.Html, StringComparison.Ordinal);
            Assert.Contains("<span class=\"am-balance-amount\">$4.20</span>", page.Html, StringComparison.Ordinal);
        }
    }
}
