using System.Text.RegularExpressions;
using AkashML.Billing.Tests.Infrastructure;
using AkashML.E2E.Infrastructure;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// A person tops up through the Stripe-shaped server's Checkout page and sees the balance rise on screen; then the
/// trial, the theme, the admin pages and the security settings. Every page owned by the billing/admin/settings
/// dashboard leaves a screenshot.
/// </summary>
public sealed partial class BillingTopUpTests : BrowserTest
{
    private FakeStripe _stripe = default!;

    protected override async Task<HostProcess> StartHostAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        // The host's Checkout return addresses name the host itself, so its port is chosen before it starts.
        var port = HostProcess.FreePort();
        var self = $"http://127.0.0.1:{port}/";
        var host = await HostProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["Billing__InstanceId"] = "e2e-billing",
            ["Billing__Stripe__ApiBase"] = _stripe.BaseUrl,
            ["Billing__Stripe__SecretKey"] = FakeStripe.TestSecretKey,
            ["Billing__Stripe__WebhookSecret"] = FakeStripe.TestWebhookSecret,
            ["Billing__TopUp__SuccessUrl"] = self + "billing/success?session_id={CHECKOUT_SESSION_ID}",
            ["Billing__TopUp__CancelUrl"] = self + "billing/cancel",
        }, port: port);
        _stripe.WebhookUrl = self + "stripe/webhook";
        return host;
    }

    [ChromiumFact]
    public async Task Top_up_through_checkout_raises_the_balance_on_screen()
    {
        var shots = new Screenshots("billing-top-up");
        await using var context = await NewContextAsync(1360, 900);
        var page = await context.NewPageAsync();
        var email = Accounts.NewEmail("pay");
        await Accounts.SignUpAndSignInAsync(page, email);

        // The overview's first-run card: email done, card and first chat still open.
        await Assertions.Expect(page.GetByTestId("onboarding")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-step='email']")).ToHaveAttributeAsync("data-done", "true");
        await Assertions.Expect(page.Locator("[data-step='payment']")).ToHaveAttributeAsync("data-done", "false");
        await shots.TakeAsync(page, "overview-onboarding");

        // Keyboard users can skip the navigation.
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Billing" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Billing", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("billing-balance")).ToHaveTextAsync("$0.00");
        await Assertions.Expect(page.GetByTestId("header-balance")).ToContainTextAsync("$0.00");
        await shots.TakeAsync(page, "billing-empty");

        // Bad input stays on the page with the reason beside the field.
        await page.GetByLabel("Amount (USD)", new() { Exact = true }).FillAsync("lots");
        await page.GetByTestId("top-up").ClickAsync();
        await Assertions.Expect(page.GetByTestId("top-up-error")).ToContainTextAsync("'lots' is not an amount in USD");
        await page.GetByLabel("Amount (USD)", new() { Exact = true }).FillAsync("1000");
        await page.GetByTestId("top-up").ClickAsync();
        await Assertions.Expect(page.GetByTestId("top-up-error")).ToHaveTextAsync("The amount must be between $5.00 and $500.00.");
        await shots.TakeAsync(page, "billing-invalid-amount");

        await page.GetByLabel("Amount (USD)", new() { Exact = true }).FillAsync("25");
        await page.GetByTestId("top-up").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(StripeCheckoutUrl());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pay 25.00 USD" })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "stripe-checkout");

        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Payment received" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("header-balance")).ToContainTextAsync("$25.00");
        await shots.TakeAsync(page, "checkout-success");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to billing" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("billing-balance")).ToHaveTextAsync("$25.00");
        await Assertions.Expect(page.Locator("[data-pool-source='Purchase']")).ToHaveCountAsync(1);
        await shots.TakeAsync(page, "billing-after-top-up");

        // Verifying a card grants the trial credits.
        await page.GetByTestId("verify-card").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Save your card (no charge)" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save card" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Card verified" })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "card-verified");
        await page.GotoAsync("billing");
        await Assertions.Expect(page.GetByTestId("billing-balance")).ToHaveTextAsync("$26.00");
        await Assertions.Expect(page.GetByTestId("payment-method")).ToHaveTextAsync("Visa •••• 4242");
        await shots.TakeAsync(page, "billing-with-trial");

        // A cancelled checkout changes nothing.
        await page.GetByLabel("Amount (USD)", new() { Exact = true }).FillAsync("5");
        await page.GetByTestId("top-up").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel and go back" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Checkout cancelled" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("header-balance")).ToContainTextAsync("$26.00");
        await shots.TakeAsync(page, "checkout-cancelled");

        // Dark theme: switches in place and survives a reload (the server renders it from the cookie).
        await page.GotoAsync("billing");
        await page.GetByTestId("theme-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await shots.TakeAsync(page, "billing-dark");
        await page.GotoAsync("");
        await shots.TakeAsync(page, "overview-dark");
        await page.GetByTestId("theme-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");

        // The first account of an instance is its administrator: the admin pages.
        await page.GetByTestId("nav-admin-users").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users" })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "admin-users");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Grant credits to {email}" }).ClickAsync();
        await page.GetByLabel("Amount (USD)", new() { Exact = true }).FillAsync("4");
        await page.GetByLabel("Reason").FillAsync("thanks for testing");
        await page.GetByTestId("grant").ClickAsync();
        await Assertions.Expect(page.GetByText($"Granted $4.00 to {email}.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("admin-user-balance")).ToHaveTextAsync("$30.00");
        await Assertions.Expect(page.GetByTestId("header-balance")).ToContainTextAsync("$30.00");
        await shots.TakeAsync(page, "admin-user-granted");
        await page.GetByTestId("nav-admin-models").ClickAsync();
        await Assertions.Expect(page.Locator("[data-model-id='akashml/tiny-random']")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "admin-models");
        await page.GotoAsync("admin/inferences");
        await page.GetByLabel("Inference-Id").FillAsync("inf_unknown");
        await page.GetByRole(AriaRole.Button, new() { Name = "Look up" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("inference-missing")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "admin-inference-lookup");

        // Settings: the authenticator QR code and the delete-account confirmation.
        await page.GotoAsync("Account/Manage/TwoFactorAuthentication");
        await shots.TakeAsync(page, "settings-2fa");
        await page.GetByTestId("add-authenticator").ClickAsync();
        await Assertions.Expect(page.GetByTestId("authenticator-qr")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "settings-2fa-qr");
        await page.GotoAsync("Account/Manage/DeletePersonalData");
        await page.GetByTestId("delete-account").ClickAsync();
        await Assertions.Expect(page.GetByTestId("delete-password-error")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "settings-delete-account");

        Assert.True(File.Exists(Path.Combine(shots.Directory, "01-overview-onboarding.png")));
    }

    protected override async ValueTask DisposeServicesAsync()
    {
        if (_stripe is not null)
        {
            await _stripe.DisposeAsync();
        }
    }

    [GeneratedRegex(@"/c/pay/cs_test_")]
    private static partial Regex StripeCheckoutUrl();
}
