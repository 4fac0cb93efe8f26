using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.Components.Pages.Billing;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;
using MudBlazor;

namespace AkashML.Web.Components.Tests.Billing;

/// <summary>The payments grid pages and sorts on the server and shows failures with Stripe's reason.</summary>
public sealed class PaymentsGridTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public async Task Pages_through_the_payments_newest_first_and_sorts_by_amount()
    {
        var user = await SignInNewUserAsync();
        var db = HostService<AkashDbContext>();
        var start = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 13; i++)
        {
            db.Payments.Add(new Payment
            {
                UserId = user.Id,
                Kind = PaymentKind.TopUp,
                Status = i == 12 ? PaymentStatus.Failed : PaymentStatus.Succeeded,
                AmountCents = 500 + i * 100,
                CreditedMicros = i == 12 ? 0 : (500 + i * 100) * 10_000L,
                FailureMessage = i == 12 ? "Your card was declined." : null,
                Currency = "usd",
                CreatedAt = start.AddDays(i),
            });
        }

        await db.SaveChangesAsync();
        Render<MudPopoverProvider>();

        var grid = Render<PaymentsGrid>(p => p.Add(g => g.UserId, user.Id));

        grid.WaitForAssertion(() => Assert.Equal(10, grid.FindAll("[data-payment-status]").Count));
        Assert.Equal("Failed", grid.FindAll("[data-payment-status]")[0].GetAttribute("data-payment-status"));
        Assert.Contains("Your card was declined.", grid.Markup, StringComparison.Ordinal);
        Assert.Contains("1-10 of 13", grid.Markup, StringComparison.Ordinal);

        grid.Find("button[aria-label='Next page']").Click();

        grid.WaitForAssertion(() => Assert.Equal(3, grid.FindAll("[data-payment-status]").Count));
        Assert.Contains("2026-11-01", grid.Markup, StringComparison.Ordinal);

        // Sorted by the charged amount, smallest first, on the server: the second page holds the three largest.
        grid.FindAll("th").Single(th => th.TextContent.Contains("Charged", StringComparison.Ordinal)).QuerySelectorAll("*").First(e => e.HasAttribute("blazor:onclick")).Click();
        grid.WaitForAssertion(() => Assert.Contains("$15.00", grid.FindAll("tbody tr")[0].TextContent, StringComparison.Ordinal));
        Assert.Contains("$17.00", grid.FindAll("tbody tr")[2].TextContent, StringComparison.Ordinal);
        grid.Find("button[aria-label='First page']").Click();
        grid.WaitForAssertion(() => Assert.Contains("$5.00", grid.FindAll("tbody tr")[0].TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Says_so_when_there_are_no_payments()
    {
        var user = await SignInNewUserAsync();
        Render<MudPopoverProvider>();

        var grid = Render<PaymentsGrid>(p => p.Add(g => g.UserId, user.Id));

        grid.WaitForAssertion(() => Assert.NotNull(grid.Find("[data-testid=payments-empty]")));
    }
}
