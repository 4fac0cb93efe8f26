using System.Text.RegularExpressions;
using AkashML.Billing.Tests.Infrastructure;
using AkashML.E2E.Infrastructure;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// A person tops up through the Stripe-shaped server's Checkout page and sees the balance rise on screen, in the app
/// bar and on a billing page left open in another tab, without a reload; then the trial, a cancelled checkout, the
/// theme, the admin pages (grant, models, lookup) and the security settings; then the same pages on a phone, none wider
/// than the screen. Every page of the billing/admin/settings dashboard leaves a desktop and a phone screenshot.
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
        // The app bar and an idle tab follow a payment within their refresh interval (5 s), on a busy machine.
        Assertions.SetDefaultExpectTimeout(15_000);
        var shots = new Screenshots("billing-top-up");
        await using var context = await NewContextAsync(1440, 900);
        var page = await context.NewPageAsync();
        var email = Accounts.NewEmail("pay");
        await SignUpAsync(page, email);

        await page.GotoAsync("/billing");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Billing", Exact = true, Level = 1 })).ToBeVisibleAsync();
        await WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("billing-balance")).ToHaveTextAsync("$0.00");
        await Assertions.Expect(page.GetByTestId("header-balance")).ToContainTextAsync("$0.00");
        await shots.TakeAsync(page, "billing-empty");

        // Bad input stays on the page with the reason beside the field.
        var amount = page.GetByLabel("Amount (USD)", new() { Exact = true });
        await amount.FillAsync("lots");
        await page.GetByTestId("top-up").ClickAsync();
        await Assertions.Expect(page.GetByText("'lots' is not an amount in USD")).ToBeVisibleAsync();
        await amount.FillAsync("1000");
        await page.GetByTestId("top-up").ClickAsync();
        await Assertions.Expect(page.GetByText("The amount must be between $5.00 and $500.00.")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "billing-invalid-amount");

        // A second tab stays on the billing page the whole time: it must follow the payments by itself.
        var watcher = await context.NewPageAsync();
        await watcher.GotoAsync("/billing");
        await WaitForCircuitAsync(watcher);
        await Assertions.Expect(watcher.GetByTestId("billing-balance")).ToHaveTextAsync("$0.00");

        await amount.FillAsync("25");
        await page.GetByTestId("top-up").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(StripeCheckoutUrl());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pay 25.00 USD" })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "stripe-checkout");

        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Payment received" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("header-balance")).ToContainTextAsync("$25.00");
        await shots.TakeAsync(page, "checkout-success");

        await Assertions.Expect(watcher.GetByTestId("billing-balance")).ToHaveTextAsync("$25.00");
        await Assertions.Expect(watcher.GetByTestId("header-balance")).ToContainTextAsync("$25.00");
        await Assertions.Expect(watcher.Locator("[data-pool-source='Purchase']")).ToHaveCountAsync(1);
        await Assertions.Expect(watcher.Locator("[data-testid='ledger-line'][data-ledger-kind='Grant']")).ToHaveCountAsync(1);
        await Assertions.Expect(watcher.Locator("[data-payment-status='Succeeded']")).ToHaveCountAsync(1);
        await shots.TakeAsync(watcher, "billing-after-top-up");

        // Verifying a card grants the trial credits; the open tab follows again.
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to billing" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("billing-balance")).ToHaveTextAsync("$25.00");
        await page.GetByTestId("verify-card").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Save your card (no charge)" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save card" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Card verified" })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "card-verified");
        await Assertions.Expect(watcher.GetByTestId("billing-balance")).ToHaveTextAsync("$26.00");
        await Assertions.Expect(watcher.GetByTestId("payment-method")).ToHaveTextAsync("Visa •••• 4242");
        await Assertions.Expect(watcher.Locator("[data-pool-source='Trial']")).ToHaveCountAsync(1);
        await shots.TakeAsync(watcher, "billing-with-trial");
        await watcher.CloseAsync();

        // A cancelled checkout changes nothing.
        await page.GotoAsync("/billing");
        await WaitForCircuitAsync(page);
        await page.GetByLabel("Amount (USD)", new() { Exact = true }).FillAsync("5");
        await page.GetByTestId("top-up").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel and go back" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Checkout cancelled" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("header-balance")).ToContainTextAsync("$26.00");
        await shots.TakeAsync(page, "checkout-cancelled");

        // Dark theme: switches in place and survives a reload (the server renders it from the cookie).
        await page.GotoAsync("/billing");
        await WaitForCircuitAsync(page);
        await page.GetByTestId("theme-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await Assertions.Expect(page.GetByTestId("billing-balance")).ToHaveTextAsync("$26.00");
        await Assertions.Expect(page.Locator("[data-testid='ledger-line']").First).ToBeVisibleAsync();
        await shots.TakeAsync(page, "billing-dark");
        await WaitForCircuitAsync(page);
        await page.GetByTestId("theme-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");

        // The first account of an instance is its administrator: the admin pages.
        await page.GetByTestId("nav-admin-users").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"[data-user-email='{email}']")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "admin-users");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Grant credits to {email}" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("admin-user-balance")).ToHaveTextAsync("$26.00");
        await page.GetByLabel("Amount (USD)", new() { Exact = true }).FillAsync("4");
        await page.GetByLabel("Reason").FillAsync("thanks for testing");
        await page.GetByTestId("grant").ClickAsync();
        await Assertions.Expect(page.GetByText($"Granted $4.00 to {email}.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("admin-user-balance")).ToHaveTextAsync("$30.00");
        await Assertions.Expect(page.GetByTestId("header-balance")).ToContainTextAsync("$30.00");
        await shots.TakeAsync(page, "admin-user-granted");
        var adminUserPath = new Uri(page.Url).AbsolutePath.TrimStart('/');
        await page.GetByTestId("nav-admin-models").ClickAsync();
        await Assertions.Expect(page.Locator("[data-model-id='akashml/tiny-random']")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "admin-models");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Inference lookup" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inference lookup", Level = 1 })).ToBeVisibleAsync();
        await page.GetByLabel("Inference-Id").FillAsync("inf_unknown");
        await page.GetByRole(AriaRole.Button, new() { Name = "Look up" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("inference-missing")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "admin-inference-lookup");

        // Settings: the authenticator QR code and the delete-account confirmation.
        await page.GotoAsync("/Account/Manage/TwoFactorAuthentication");
        await shots.TakeAsync(page, "settings-2fa");
        await page.GetByTestId("add-authenticator").ClickAsync();
        await Assertions.Expect(page.GetByTestId("authenticator-qr")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "settings-2fa-qr");
        await page.GotoAsync("/Account/Manage/DeletePersonalData");
        await page.GetByTestId("delete-account").ClickAsync();
        await Assertions.Expect(page.GetByTestId("delete-password-error")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "settings-delete-account");

        // On a phone: every billing and admin page fits the screen, and the navigation opens from the menu button.
        await using var phone = await NewContextAsync(390, 844);
        var small = await phone.NewPageAsync();
        await SignInAsync(small, email);
        foreach (var (path, ready) in new[]
        {
            ("billing", "[data-testid='ledger-line']"),
            ("billing/cancel", "[data-testid='checkout-result']"),
            ("admin/users", "[data-user-email]"),
            (adminUserPath, "[data-testid='grant-form']"),
            ("admin/models", "[data-model-id='akashml/tiny-random']"),
            ("admin/inferences/inf_unknown", "[data-testid='inference-missing']"),
        })
        {
            await small.GotoAsync("/" + path);
            await Assertions.Expect(small.Locator(ready).First).ToBeVisibleAsync();
            await Assertions.Expect(small.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveCountAsync(1);
            var overflow = await small.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"/{path} is {overflow} px wider than the phone's screen");
            await shots.TakeAsync(small, "phone-" + path.Split('/')[0] + (path.Contains('/', StringComparison.Ordinal) ? "-" + path.Split('/')[1][..Math.Min(8, path.Split('/')[1].Length)] : ""));
        }

        await small.GotoAsync("/billing");
        await small.GetByTestId("nav-toggle").ClickAsync();
        await Assertions.Expect(small.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Billing" })).ToBeVisibleAsync();
        await shots.TakeAsync(small, "phone-navigation");

        Assert.True(File.Exists(Path.Combine(shots.Directory, "01-billing-empty.png")));
    }

    /// <summary>
    /// Waits until a freshly loaded billing page runs in its circuit: the first response is rendered on the server and
    /// its buttons do nothing until the circuit renders the page again (it marks itself then).
    /// </summary>
    private static Task WaitForCircuitAsync(IPage page) =>
        Assertions.Expect(page.Locator("[data-interactive='true']")).ToHaveCountAsync(1);

    /// <summary>Registers, confirms through the dev outbox and signs in (the first account of the host: an administrator).</summary>
    private static async Task SignUpAsync(IPage page, string email)
    {
        await page.GotoAsync("/Account/Register");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Accounts.Password);
        await page.GetByLabel("Confirm password").FillAsync(Accounts.Password);
        await page.GetByTestId("register").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" })).ToBeVisibleAsync();
        await page.GotoAsync("/dev/outbox");
        await page.Locator($"tr[data-to='{email}'][data-purpose='ConfirmAccount']").GetByRole(AriaRole.Link, new() { Name = "Confirm account" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Email confirmed" })).ToBeVisibleAsync();
        await SignInAsync(page, email);
    }

    /// <summary>Signs in on the sign-in page and waits until the dashboard's app bar shows the balance.</summary>
    private static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Accounts.Password);
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByTestId("header-balance")).ToBeVisibleAsync();
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
