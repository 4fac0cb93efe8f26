using System.Net;
using AkashML.Billing.Ledger;
using AkashML.Billing.Tests.Infrastructure;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Billing;

/// <summary>
/// The billing page through HTTP with a Stripe-shaped server: balance and pools, top-up through Checkout and the
/// signed webhook, the trial for verifying a card, auto top-up, and the refusals of bad input.
/// </summary>
public sealed class BillingPageTests(StripeHostPool pool) : IClassFixture<StripeHostPool>
{
    [Theory, SqliteData, PostgresData]
    public async Task Shows_the_balance_and_pools_after_a_grant(DatabaseKind kind)
    {
        var (host, _) = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("pools");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var user = await host.FindUserAsync(email);
        var expires = new DateTimeOffset(2031, 3, 4, 0, 0, 0, TimeSpan.Zero);
        await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GrantAsync(user!.Id, CreditSource.AdminGrant, 12_500_000, expires, "welcome credit", null, CancellationToken.None));
        await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GrantAsync(user!.Id, CreditSource.AdminGrant, 250_000, null, "small thanks", null, CancellationToken.None));
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);

        var page = await browser.GetAsync("billing");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("data-testid=\"billing-balance\">$12.75<", page.Html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"header-balance\" data-micros=\"12750000\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("2031-03-04", page.Text, StringComparison.Ordinal);
        Assert.Contains("welcome credit", page.Text, StringComparison.Ordinal);
        Assert.Contains("small thanks", page.Text, StringComparison.Ordinal);
        Assert.Equal(2, Count(page.Html, "data-pool-source=\"AdminGrant\" data-pool-status=\"Active\""));
        // The ledger lists both grants, newest first.
        Assert.True(page.Html.IndexOf("small thanks", StringComparison.Ordinal) < page.Html.LastIndexOf("welcome credit", StringComparison.Ordinal));
        Assert.Equal(2, Count(page.Html, "data-ledger-kind=\"Grant\""));
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

        var billing = await browser.GetAsync("billing");
        Assert.Contains("data-testid=\"billing-balance\">$0.00<", billing.Html, StringComparison.Ordinal);
        var checkout = await browser.SubmitAsync(billing, "top-up", new Dictionary<string, string> { ["TopUp.Amount"] = "25.50" });

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
        Assert.Contains("data-testid=\"billing-balance\">$25.50<", after.Html, StringComparison.Ordinal);
        Assert.Contains("data-pool-source=\"Purchase\" data-pool-status=\"Active\"", after.Html, StringComparison.Ordinal);
        Assert.Contains("data-payment-status=\"Succeeded\"", after.Html, StringComparison.Ordinal);
        Assert.Contains("data-micros=\"25500000\"", after.Html, StringComparison.Ordinal);
        var payment = await PaymentAsync(host, sessionId);
        Assert.Equal((PaymentStatus.Succeeded, 25_500_000L), (payment.Status, payment.CreditedMicros));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Amounts_outside_the_limits_or_not_numbers_are_refused_inline_and_nothing_is_created(DatabaseKind kind)
    {
        var (host, stripe) = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("badamount");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        var billing = await browser.GetAsync("billing");

        var cases = new (string Amount, string Message)[]
        {
            ("4.99", "The amount must be between $5.00 and $500.00."),
            ("500.01", "The amount must be between $5.00 and $500.00."),
            ("abc", "'abc' is not an amount in USD"),
            ("-10", "'-10' is not an amount in USD"),
            ("10.005", "The amount must be in whole cents."),
            ("", "Enter an amount in USD"),
        };
        foreach (var (amount, message) in cases)
        {
            var refused = await browser.SubmitAsync(billing, "top-up", new Dictionary<string, string> { ["TopUp.Amount"] = amount });
            Assert.Equal("/billing", refused.Path);
            Assert.Equal(AkashWebHost.BaseAddress.Authority, refused.Url.Authority);
            Assert.Contains("data-testid=\"top-up-error\"", refused.Html, StringComparison.Ordinal);
            Assert.Contains(message, refused.Text, StringComparison.Ordinal);
            Assert.Contains("aria-invalid=\"true\"", refused.Html, StringComparison.Ordinal);
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

        var billing = await browser.GetAsync("billing");
        Assert.Contains("Verify a payment method and get $1.00", billing.Text, StringComparison.Ordinal);
        // Without a saved card, auto top-up cannot be turned on.
        var early = await browser.SubmitAsync(billing, "auto-top-up", new Dictionary<string, string>
        {
            ["AutoTopUp.Enabled"] = "true", ["AutoTopUp.Threshold"] = "5", ["AutoTopUp.Amount"] = "10",
        });
        Assert.Contains("Verify a payment method first", early.Text, StringComparison.Ordinal);

        var checkout = await browser.SubmitAsync(billing, "verify-card");
        Assert.Contains("Save your card", checkout.Text, StringComparison.Ordinal);
        Assert.Equal("setup", stripe.RequestsTo("/v1/checkout/sessions").Single(r => r.Form.GetValueOrDefault("client_reference_id") == userId).Form["mode"]);
        var verified = await browser.SubmitAsync(checkout, checkout.Forms.Single());
        Assert.Contains("Card verified", verified.Text, StringComparison.Ordinal);
        Assert.Contains("free trial credits were added", verified.Text, StringComparison.Ordinal);

        billing = await browser.GetAsync("billing");
        Assert.Contains("data-testid=\"billing-balance\">$1.00<", billing.Html, StringComparison.Ordinal);
        Assert.Contains("data-pool-source=\"Trial\"", billing.Html, StringComparison.Ordinal);
        Assert.Contains("Visa •••• 4242", billing.Text, StringComparison.Ordinal);

        // Bad auto top-up input is refused beside its field; nothing changes.
        var bad = await browser.SubmitAsync(billing, "auto-top-up", new Dictionary<string, string>
        {
            ["AutoTopUp.Enabled"] = "true", ["AutoTopUp.Threshold"] = "lots", ["AutoTopUp.Amount"] = "1",
        });
        Assert.Contains("'lots' is not an amount in USD", bad.Text, StringComparison.Ordinal);
        var tooSmall = await browser.SubmitAsync(billing, "auto-top-up", new Dictionary<string, string>
        {
            ["AutoTopUp.Enabled"] = "true", ["AutoTopUp.Threshold"] = "5", ["AutoTopUp.Amount"] = "1",
        });
        Assert.Contains("The amount must be between $5.00 and $500.00.", tooSmall.Text, StringComparison.Ordinal);
        Assert.False((await AccountAsync(host, userId)).AutoTopUpEnabled);

        // The balance ($1) is under the threshold, so turning it on charges the saved card at once.
        var saved = await browser.SubmitAsync(billing, "auto-top-up", new Dictionary<string, string>
        {
            ["AutoTopUp.Enabled"] = "true", ["AutoTopUp.Threshold"] = "5", ["AutoTopUp.Amount"] = "10",
        });
        Assert.Equal("/billing", saved.Path);
        Assert.Contains("Auto top-up is on: $10.00 whenever your balance falls below $5.00.", saved.Text, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"auto-top-up-state\">On<", saved.Html, StringComparison.Ordinal);
        var raised = await WaitForBalanceAsync(browser, "$11.00");
        Assert.Contains("Auto top-up", raised.Text, StringComparison.Ordinal);
        Assert.Equal(PaymentStatus.Succeeded, (await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().Payments.SingleAsync(p => p.UserId == userId && p.Kind == PaymentKind.AutoTopUp))).Status);

        var off = await browser.SubmitAsync(raised, "auto-top-up", new Dictionary<string, string> { ["AutoTopUp.Enabled"] = "false", ["AutoTopUp.Threshold"] = "5", ["AutoTopUp.Amount"] = "10" });
        Assert.Contains("Auto top-up is off.", off.Text, StringComparison.Ordinal);
        Assert.False((await AccountAsync(host, userId)).AutoTopUpEnabled);
    }

    [Theory, SqliteData]
    public async Task Cancelled_checkout_and_an_unknown_session_say_so(DatabaseKind kind)
    {
        var (host, _) = await pool.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("cancel");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);

        var billing = await browser.GetAsync("billing");
        var checkout = await browser.SubmitAsync(billing, "top-up", new Dictionary<string, string> { ["TopUp.Amount"] = "5" });
        var cancelLink = checkout.Links.Single(l => l.Contains("billing/cancel", StringComparison.Ordinal));
        var cancelled = await browser.NavigateAsync(new Uri(cancelLink));
        Assert.Equal("/billing/cancel", cancelled.Path);
        Assert.Contains("Nothing was charged", cancelled.Text, StringComparison.Ordinal);

        var unknown = await browser.GetAsync("billing/success?session_id=cs_test_nobody");
        Assert.Contains("Checkout not found", unknown.Text, StringComparison.Ordinal);
        Assert.Contains("data-micros=\"0\"", (await browser.GetAsync("billing")).Html, StringComparison.Ordinal);
    }

    private static async Task<HtmlPage> WaitForBalanceAsync(BrowserSession browser, string balance)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var page = await browser.GetAsync("billing");
            if (page.Html.Contains($"data-testid=\"billing-balance\">{balance}<", StringComparison.Ordinal))
            {
                return page;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The billing page never showed a balance of {balance} within 10 seconds.");
    }

    private static Task<Payment> PaymentAsync(AkashWebHost host, string sessionId) =>
        host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().Payments.AsNoTracking().SingleAsync(p => p.CheckoutSessionId == sessionId));

    private static Task<BillingAccount> AccountAsync(AkashWebHost host, string userId) =>
        host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().BillingAccounts.AsNoTracking().SingleAsync(a => a.UserId == userId));

    private static int Count(string text, string needle)
    {
        var count = 0;
        for (var at = text.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = text.IndexOf(needle, at + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
