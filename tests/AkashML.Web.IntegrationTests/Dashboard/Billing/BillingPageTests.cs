using System.Net;
using AkashML.Billing.Ledger;
using AkashML.Billing.TopUp;
using AkashML.Billing.Tests.Infrastructure;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.Billing;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Billing;

/// <summary>
/// Stripe flows behind the billing page, with a Stripe-shaped server: a top-up through Checkout and the signed
/// webhook, the trial for verifying a card, auto top-up and the refusals. The page's buttons call
/// <see cref="BillingDesk"/> (their rendering and validation are bunit tests); the browser then goes through the fake's
/// Checkout pages and Stripe's return addresses, whose first render is served over HTTP.
/// </summary>
public sealed class BillingPageTests(StripeHostPool pool) : IClassFixture<StripeHostPool>
{
    [Theory, SqliteData, PostgresData]
    public async Task The_page_renders_the_balance_on_its_first_response(DatabaseKind kind)
    {
        var (host, _) = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("pools");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var user = await host.FindUserAsync(email);
        await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GrantAsync(user!.Id, CreditSource.AdminGrant, 12_500_000, null, "welcome credit", null, CancellationToken.None));
        await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GrantAsync(user!.Id, CreditSource.AdminGrant, 250_000, null, "small thanks", null, CancellationToken.None));
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);

        var page = await browser.GetAsync("billing");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("data-testid=\"billing-balance\" data-micros=\"12750000\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("data-micros=\"12750000\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("welcome credit", page.Text, StringComparison.Ordinal);
        Assert.Contains("Verify a payment method and get $1.00", page.Text, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"top-up-form\"", page.Html, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_top_up_goes_through_checkout_and_the_webhook_raises_the_balance(DatabaseKind kind)
    {
        var (host, stripe) = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("topup");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);

        var started = await Desk(host).StartTopUpAsync(userId, 25.50m, CancellationToken.None);
        Assert.Equal(CheckoutStatus.Created, started.Status);
        var checkout = await browser.NavigateAsync(new Uri(started.Url!));

        // The browser landed on the Checkout page the fake's session URL names.
        Assert.Equal(new Uri(stripe.BaseUrl).Authority, checkout.Url.Authority);
        Assert.StartsWith("/c/pay/cs_test_", checkout.Path, StringComparison.Ordinal);
        Assert.Contains("Pay 25.50 USD", checkout.Text, StringComparison.Ordinal);
        var sessionId = checkout.Path["/c/pay/".Length..];
        var request = stripe.RequestsTo("/v1/checkout/sessions").Single(r => r.Form.GetValueOrDefault("client_reference_id") == userId);
        Assert.Equal("2550", request.Form["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("payment", request.Form["mode"]);
        Assert.Equal(PaymentStatus.Pending, (await PaymentAsync(host, sessionId)).Status);

        var result = await browser.SubmitAsync(checkout, checkout.Forms.Single());

        Assert.Equal("/billing/success", result.Path);
        Assert.Contains("Payment received", result.Text, StringComparison.Ordinal);
        Assert.Contains("$25.50 was added to your balance", result.Text, StringComparison.Ordinal);
        Assert.Contains(stripe.Deliveries, d => d.Type == "checkout.session.completed" && d.Status == 200);
        var after = await browser.GetAsync("billing");
        Assert.Contains("data-testid=\"billing-balance\" data-micros=\"25500000\"", after.Html, StringComparison.Ordinal);
        Assert.Contains("data-pool-source=\"Purchase\" data-pool-status=\"Active\"", after.Html, StringComparison.Ordinal);
        var payment = await PaymentAsync(host, sessionId);
        Assert.Equal((PaymentStatus.Succeeded, 25_500_000L), (payment.Status, payment.CreditedMicros));
        var page = await Desk(host).GetPaymentsAsync(userId, 0, 10, PaymentSort.Date, true, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, Assert.Single(page.Payments).Status);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Amounts_outside_the_limits_are_refused_and_nothing_is_created(DatabaseKind kind)
    {
        var (host, stripe) = await pool.GetAsync(kind);
        var email = AccountFlows.NewEmail("badamount");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;

        foreach (var (amount, message) in new (decimal, string)[]
        {
            (4.99m, "The amount must be between $5.00 and $500.00."),
            (500.01m, "The amount must be between $5.00 and $500.00."),
            (10.005m, "The amount must be in whole cents."),
        })
        {
            var refused = await Desk(host).StartTopUpAsync(userId, amount, CancellationToken.None);
            Assert.Equal((CheckoutStatus.Invalid, message), (refused.Status, refused.Error));
        }

        Assert.DoesNotContain(stripe.RequestsTo("/v1/checkout/sessions"), r => r.Form.GetValueOrDefault("client_reference_id") == userId);
        Assert.Equal(0, await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().Payments.CountAsync(p => p.UserId == userId)));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Verifying_a_card_grants_the_trial_and_auto_top_up_charges_the_saved_card(DatabaseKind kind)
    {
        var (host, stripe) = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("trial");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        var desk = Desk(host);

        // Without a saved card, auto top-up cannot be turned on.
        Assert.Contains("Verify a payment method first", await desk.ConfigureAutoTopUpAsync(userId, true, 5, 10, CancellationToken.None), StringComparison.Ordinal);

        var started = await desk.StartCardVerificationAsync(userId, CancellationToken.None);
        var checkout = await browser.NavigateAsync(new Uri(started.Url!));
        Assert.Contains("Save your card", checkout.Text, StringComparison.Ordinal);
        Assert.Equal("setup", stripe.RequestsTo("/v1/checkout/sessions").Single(r => r.Form.GetValueOrDefault("client_reference_id") == userId).Form["mode"]);
        Assert.Equal(CardTrial.Pending, (await desk.GetSummaryAsync(userId, CancellationToken.None)).Trial);
        var verified = await browser.SubmitAsync(checkout, checkout.Forms.Single());
        Assert.Contains("Card verified", verified.Text, StringComparison.Ordinal);
        Assert.Contains("free trial credits were added", verified.Text, StringComparison.Ordinal);

        var billing = await browser.GetAsync("billing");
        Assert.Contains("data-testid=\"billing-balance\" data-micros=\"1000000\"", billing.Html, StringComparison.Ordinal);
        Assert.Contains("data-pool-source=\"Trial\"", billing.Html, StringComparison.Ordinal);
        Assert.Contains("Visa •••• 4242", billing.Text, StringComparison.Ordinal);
        Assert.Equal(CardTrial.Granted, (await desk.GetSummaryAsync(userId, CancellationToken.None)).Trial);

        // An amount outside the limits is refused and changes nothing.
        Assert.Equal("The amount must be between $5.00 and $500.00.", await desk.ConfigureAutoTopUpAsync(userId, true, 5, 1, CancellationToken.None));
        Assert.False((await AccountAsync(host, userId)).AutoTopUpEnabled);

        // The balance ($1) is under the threshold, so turning it on charges the saved card at once.
        Assert.Null(await desk.ConfigureAutoTopUpAsync(userId, true, 5, 10, CancellationToken.None));
        Assert.True((await AccountAsync(host, userId)).AutoTopUpEnabled);
        await WaitForBalanceAsync(host, userId, 11_000_000);
        Assert.Equal(PaymentStatus.Succeeded, (await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().Payments.SingleAsync(p => p.UserId == userId && p.Kind == PaymentKind.AutoTopUp))).Status);
        Assert.Contains("data-testid=\"auto-top-up-state\"", (await browser.GetAsync("billing")).Html, StringComparison.Ordinal);

        Assert.Null(await desk.ConfigureAutoTopUpAsync(userId, false, 5, 10, CancellationToken.None));
        Assert.False((await AccountAsync(host, userId)).AutoTopUpEnabled);
    }

    [Theory, SqliteData]
    public async Task Cancelled_checkout_and_an_unknown_session_say_so(DatabaseKind kind)
    {
        var (host, _) = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("cancel");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);

        var started = await Desk(host).StartTopUpAsync(userId, 5m, CancellationToken.None);
        var checkout = await browser.NavigateAsync(new Uri(started.Url!));
        var cancelLink = checkout.Links.Single(l => l.Contains("billing/cancel", StringComparison.Ordinal));
        var cancelled = await browser.NavigateAsync(new Uri(cancelLink));
        Assert.Equal("/billing/cancel", cancelled.Path);
        Assert.Contains("Nothing was charged", cancelled.Text, StringComparison.Ordinal);

        var unknown = await browser.GetAsync("billing/success?session_id=cs_test_nobody");
        Assert.Contains("Checkout not found", unknown.Text, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"billing-balance\" data-micros=\"0\"", (await browser.GetAsync("billing")).Html, StringComparison.Ordinal);
    }

    private static BillingDesk Desk(AkashWebHost host) => host.Services.GetRequiredService<BillingDesk>();

    private static async Task WaitForBalanceAsync(AkashWebHost host, string userId, long micros)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var balance = await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, CancellationToken.None));
            if (balance.UsableMicros == micros)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The balance never reached {micros} micro-dollars within 10 seconds.");
    }

    private static Task<Payment> PaymentAsync(AkashWebHost host, string sessionId) =>
        host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().Payments.AsNoTracking().SingleAsync(p => p.CheckoutSessionId == sessionId));

    private static Task<BillingAccount> AccountAsync(AkashWebHost host, string userId) =>
        host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().BillingAccounts.AsNoTracking().SingleAsync(a => a.UserId == userId));
}
