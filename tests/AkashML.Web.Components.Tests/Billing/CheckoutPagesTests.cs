using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.Components.Pages.Billing;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.Components.Tests.Billing;

/// <summary>
/// Where Stripe Checkout sends people back: the payment's state as the webhook left it, followed until it settles;
/// someone else's or an unknown session is "not found".
/// </summary>
public sealed class CheckoutPagesTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public async Task A_pending_payment_turns_into_payment_received_when_the_webhook_credits_it()
    {
        var user = await SignInNewUserAsync();
        var db = HostService<AkashDbContext>();
        var payment = new Payment
        {
            UserId = user.Id, Kind = PaymentKind.TopUp, Status = PaymentStatus.Pending, AmountCents = 2500, Currency = "usd",
            CheckoutSessionId = "cs_test_" + Guid.NewGuid().ToString("N"), CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Payments.Add(payment);
        await db.SaveChangesAsync();
        NavigateTo($"billing/success?session_id={payment.CheckoutSessionId}");

        var page = Render<CheckoutReturn>();

        page.WaitForAssertion(() => Assert.Equal("pending", page.Find("[data-testid=checkout-result]").GetAttribute("data-state")));
        Assert.Contains("Confirming your payment", page.Markup, StringComparison.Ordinal);

        // What the webhook does: the credits and the payment's outcome.
        await Host.GrantAsync(user, 25m);
        payment.Status = PaymentStatus.Succeeded;
        payment.CreditedMicros = 25_000_000;
        await db.SaveChangesAsync();

        page.WaitForAssertion(() => Assert.Equal("credited", page.Find("[data-testid=checkout-result]").GetAttribute("data-state")), TimeSpan.FromSeconds(10));
        Assert.Contains("$25.00 was added to your balance", page.Markup, StringComparison.Ordinal);
        Assert.Equal("$25.00", page.Find("[data-testid=result-balance]").TextContent.Trim());
    }

    [Fact]
    public async Task Someone_elses_or_an_unknown_session_is_not_found()
    {
        var owner = await Host.CreateUserAsync();
        var db = HostService<AkashDbContext>();
        var session = "cs_test_" + Guid.NewGuid().ToString("N");
        db.Payments.Add(new Payment
        {
            UserId = owner.Id, Kind = PaymentKind.TopUp, Status = PaymentStatus.Succeeded, AmountCents = 500, CreditedMicros = 5_000_000,
            Currency = "usd", CheckoutSessionId = session, CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        await SignInNewUserAsync();
        NavigateTo($"billing/success?session_id={session}");

        var page = Render<CheckoutReturn>();

        page.WaitForAssertion(() => Assert.Equal("unknown", page.Find("[data-testid=checkout-result]").GetAttribute("data-state")));
        Assert.Contains("Checkout not found", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_checkout_says_nothing_was_charged()
    {
        await SignInNewUserAsync();

        var page = Render<CheckoutCancelled>();

        Assert.Contains("Nothing was charged", page.Markup, StringComparison.Ordinal);
        Assert.Equal("billing", page.FindAll("a").Single(a => a.TextContent.Contains("Back to billing", StringComparison.Ordinal)).GetAttribute("href"));
    }

    private void NavigateTo(string relative) => Services.GetRequiredService<NavigationManager>().NavigateTo(relative);
}
