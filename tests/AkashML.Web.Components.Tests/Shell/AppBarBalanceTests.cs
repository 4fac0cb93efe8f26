using AkashML.Web.Components.Layout;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Shell;
using Bunit;

namespace AkashML.Web.Components.Tests.Shell;

public sealed class AppBarBalanceTests(DashboardHost host) : DashboardTest(host)
{
    [Theory]
    [InlineData(12.345678, "$12.34", false)]
    [InlineData(1_234_567.89, "$1,234,567.89", false)]
    [InlineData(0.999999, "$0.99", true)]
    [InlineData(0, "$0.00", true)]
    public async Task Shows_whole_cents_links_to_billing_and_flags_a_low_balance(decimal usd, string shown, bool low)
    {
        await SignInNewUserAsync(credits: usd);

        var badge = Render<AppBarBalance>();

        var link = badge.WaitForElement("[data-testid=header-balance]");
        Assert.Equal(shown, badge.Find(".am-balance-amount").TextContent);
        Assert.EndsWith("billing", link.GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("Balance:", link.TextContent, StringComparison.Ordinal);
        Assert.Equal(((long)(usd * 1_000_000m)).ToString(System.Globalization.CultureInfo.InvariantCulture), link.GetAttribute("data-micros"));
        Assert.Equal(low, badge.Markup.Contains("Add credits", StringComparison.Ordinal));
    }

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
