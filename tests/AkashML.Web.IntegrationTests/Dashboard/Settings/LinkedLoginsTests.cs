using AkashML.Data.Identity;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Settings;

/// <summary>Linking a GitHub login from settings and unlinking it again (local OAuth server).</summary>
public sealed class LinkedLoginsTests(ExternalProvidersHostPool pool) : IClassFixture<ExternalProvidersHostPool>
{
    [Theory, SqliteData]
    public async Task A_linked_login_can_be_unlinked_from_settings(DatabaseKind kind)
    {
        var host = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("unlink");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        pool.GitHub.NextAccount = new FakeAccount("98765", "Unlink Me", [new FakeEmail(AccountFlows.NewEmail("gh"), Primary: true, Verified: true)]);

        var settings = await browser.GetAsync("Account/Manage/ExternalLogins");
        var linked = await browser.SubmitAsync(settings, settings.Form("Account/Manage/LinkExternalLogin"), button: new("Provider", "GitHub"));
        Assert.Contains("The external login was added", linked.Text, StringComparison.Ordinal);
        Assert.Single(await LoginsAsync(host, email));

        var unlinked = await browser.SubmitAsync(linked, "remove-login-GitHub");
        Assert.Contains("The external login was removed", unlinked.Text, StringComparison.Ordinal);
        Assert.Empty(await LoginsAsync(host, email));
        // GitHub is offered for linking again.
        Assert.Contains(unlinked.Form("Account/Manage/LinkExternalLogin").Buttons, b => b.Value == "GitHub");
    }

    private static Task<IList<UserLoginInfo>> LoginsAsync(AkashWebHost host, string email) =>
        host.WithServicesAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.GetLoginsAsync((await users.FindByEmailAsync(email))!);
        });
}
