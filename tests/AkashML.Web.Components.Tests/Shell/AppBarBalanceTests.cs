using AkashML.Web.Components.Layout;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Shell;
using Bunit;

namespace AkashML.Web.Components.Tests.Shell;

public sealed class AppBarBalanceTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public async Task Shows_the_usable_balance_and_asks_for_credits_when_low()
    {
        await SignInNewUserAsync(credits: 0.5m);

        var badge = Render<AppBarBalance>();

        badge.WaitForAssertion(() => Assert.Contains("$0.50", badge.Find("[data-testid=header-balance]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Add credits", badge.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rereads_the_balance_when_the_account_changes()
    {
        var user = await SignInNewUserAsync(credits: 2m);
        var badge = Render<AppBarBalance>();
        badge.WaitForAssertion(() => Assert.Equal("2000000", badge.Find("[data-testid=header-balance]").GetAttribute("data-micros")));

        await Host.GrantAsync(user, 3m);
        HostService<AccountChanges>().Publish(user.Id);

        badge.WaitForAssertion(() => Assert.Equal("5000000", badge.Find("[data-testid=header-balance]").GetAttribute("data-micros")), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("Add credits", badge.Markup, StringComparison.Ordinal);
    }
}
