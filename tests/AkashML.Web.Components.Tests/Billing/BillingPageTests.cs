using AkashML.Billing.Ledger;
using AkashML.Billing.Reservations;
using AkashML.Data.Billing;
using AkashML.Web.Components.Pages.Billing;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Shell;
using Bunit;
using MudBlazor;

namespace AkashML.Web.Components.Tests.Billing;

/// <summary>
/// The billing page on a host without Stripe: balance and pools, the ledger with each request folded into one line
/// that expands to its entries, the way to credits at $0, and the live balance.
/// </summary>
public sealed class BillingPageTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public async Task Shows_the_balance_the_pools_and_the_ledger_newest_first()
    {
        var user = await SignInNewUserAsync();
        var ledger = HostService<CreditLedger>();
        await ledger.GrantAsync(user.Id, CreditSource.AdminGrant, 12_500_000, new DateTimeOffset(2031, 3, 4, 0, 0, 0, TimeSpan.Zero), "welcome credit", null, CancellationToken.None);
        await ledger.GrantAsync(user.Id, CreditSource.AdminGrant, 250_000, null, "small thanks", null, CancellationToken.None);
        Render<MudPopoverProvider>();

        var page = Render<BillingPage>();

        page.WaitForAssertion(() => Assert.Equal("$12.75", page.Find("[data-testid=billing-balance]").TextContent.Trim()));
        Assert.Equal("2", page.Find("[data-testid=active-pools]").TextContent.Trim());
        Assert.Equal(2, page.FindAll("[data-pool-source=AdminGrant][data-pool-status=Active]").Count);
        Assert.Contains("2031-03-04", page.Markup, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=ledger-line][data-ledger-kind=Grant]").Count));
        var lines = page.FindAll("[data-testid=ledger-line]");
        Assert.Contains("small thanks", lines[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("welcome credit", lines[1].TextContent, StringComparison.Ordinal);
        Assert.Equal("None", page.Find("[data-testid=payment-method]").TextContent.Trim());
    }

    [Fact]
    public async Task Each_request_is_one_ledger_line_that_expands_to_its_hold_release_and_charge()
    {
        var user = await SignInNewUserAsync(credits: 10m);
        var reservations = HostService<CreditReservations>();
        var charged = await reservations.ReserveAsync(user.Id, "inf_charged", 2_000_000, CancellationToken.None);
        await reservations.SettleAsync(charged.Reservation!, 500_000, CancellationToken.None);
        var released = await reservations.ReserveAsync(user.Id, "inf_released", 1_000_000, CancellationToken.None);
        await reservations.ReleaseAsync(released.Reservation!, CancellationToken.None);
        await reservations.ReserveAsync(user.Id, "inf_held", 300_000, CancellationToken.None);
        Render<MudPopoverProvider>();

        var page = Render<BillingPage>();

        // A grant and three requests: four lines, not the eight entries behind them.
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=ledger-line]").Count));
        Assert.Single(page.FindAll("[data-ledger-kind=Grant]"));
        Assert.Equal("−$0.50", AmountOf(page, "Charged"));
        Assert.Equal("$0.00", AmountOf(page, "Released"));
        Assert.Equal("−$0.30", AmountOf(page, "Held"));
        Assert.Contains("inf_charged", LineOf(page, "Charged").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=ledger-entries]"));

        RowOf(page, "Charged").QuerySelector("button")!.Click();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=ledger-entries]")));
        var kinds = page.FindAll("[data-testid=ledger-entries] tr[data-entry-kind]").Select(r => r.GetAttribute("data-entry-kind")).ToList();
        Assert.Equal(["Reservation", "Release", "Settlement"], kinds);

        // The filters fold the same way: requests only, credits only.
        page.Find("[data-testid=ledger-filter-usage]").Click();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=ledger-line]").Count));
        page.Find("[data-testid=ledger-filter-credits]").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=ledger-line]")));
    }

    [Fact]
    public async Task Without_payments_a_user_at_zero_is_told_whom_to_ask_and_gets_no_top_up_form()
    {
        await SignInNewUserAsync();
        Render<MudPopoverProvider>();

        var page = Render<BillingPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-payments]")));
        var contact = page.Find("[data-testid=support-contact]").TextContent;
        Assert.Contains("You have no credits yet.", contact, StringComparison.Ordinal);
        Assert.Contains("ask the administrator of this installation", contact, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=top-up-form]"));
        Assert.Empty(page.FindAll("[data-testid=admin-grant-link]"));
        Assert.Empty(page.FindAll("[data-testid=trial]"));
        Assert.Empty(page.FindAll("[data-testid=auto-top-up]"));
    }

    [Fact]
    public async Task Without_payments_an_administrator_gets_a_link_to_their_own_grant_form()
    {
        var admin = await SignInNewUserAsync(administrator: true);
        Render<MudPopoverProvider>();

        var page = Render<BillingPage>();

        page.WaitForAssertion(() => Assert.Equal($"admin/users/{admin.Id}", page.Find("[data-testid=admin-grant-link]").GetAttribute("href")));
    }

    [Fact]
    public async Task The_balance_pools_and_ledger_follow_a_grant_without_a_reload()
    {
        var user = await SignInNewUserAsync(credits: 1m);
        Render<MudPopoverProvider>();
        var page = Render<BillingPage>();
        page.WaitForAssertion(() => Assert.Equal("$1.00", page.Find("[data-testid=billing-balance]").TextContent.Trim()));

        await Host.GrantAsync(user, 4m);
        HostService<AccountChanges>().Publish(user.Id);

        page.WaitForAssertion(() => Assert.Equal("$5.00", page.Find("[data-testid=billing-balance]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-pool-source=AdminGrant]").Count));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=ledger-line]").Count));
    }

    private static AngleSharp.Dom.IElement LineOf(IRenderedComponent<BillingPage> page, string charge) =>
        page.Find($"[data-testid=ledger-line][data-ledger-charge={charge}]");

    private static AngleSharp.Dom.IElement RowOf(IRenderedComponent<BillingPage> page, string charge) =>
        LineOf(page, charge).Closest("tr")!;

    private static string AmountOf(IRenderedComponent<BillingPage> page, string charge) =>
        RowOf(page, charge).QuerySelector("[data-testid=ledger-amount]")!.TextContent.Trim();
}
