using System.Text.RegularExpressions;
using AkashML.E2E.Infrastructure;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// A person signs up, confirms through the dev outbox, signs in and out, in Chromium against the real host. Every step
/// leaves a screenshot.
/// </summary>
public sealed partial class SignUpAndSignInTests : BrowserTest
{
    private const string Password = Accounts.Password;

    [ChromiumFact]
    public async Task Sign_up_confirm_via_outbox_sign_in_and_sign_out()
    {
        var shots = new Screenshots("sign-up-and-sign-in");
        var email = Accounts.NewEmail("ada");
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();

        // Signed out, the home page is the sign-in page.
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to AkashML" })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "sign-in");

        await page.GetByRole(AriaRole.Link, new() { Name = "Create an account" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(RegisterUrl());
        // The link navigates in place (Blazor's enhanced navigation): the URL changes before the form arrives.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create your account" })).ToBeVisibleAsync();

        // A malformed address is refused on the page itself.
        await page.GetByLabel("Email").FillAsync("not-an-email");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("Confirm password").FillAsync(Password);
        await page.GetByTestId("register").ClickAsync();
        await Assertions.Expect(page.GetByText("Enter a valid email address")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "register-invalid-email");

        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("Confirm password").FillAsync(Password);
        await shots.TakeAsync(page, "register-filled");
        await page.GetByTestId("register").ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "check-your-email");

        await page.GetByTestId("outbox-link").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dev outbox" })).ToBeVisibleAsync();
        var row = page.Locator($"tr[data-to='{email}'][data-purpose='ConfirmAccount']");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await shots.TakeAsync(page, "dev-outbox");

        await row.GetByRole(AriaRole.Link, new() { Name = "Confirm account" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Email confirmed" })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "email-confirmed");

        await page.GetByTestId("continue").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to AkashML" })).ToBeVisibleAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Wrong-Passw0rd!");
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByText("Invalid email or password.")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "sign-in-wrong-password");

        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByTestId("header-balance")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "dashboard");

        // The account menu names the person; the first account of a fresh instance is its administrator.
        await Accounts.OpenAccountMenuAsync(page);
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync(email);
        await Assertions.Expect(page.Locator(".am-user-menu-head")).ToContainTextAsync("Admin");
        await shots.TakeAsync(page, "account-menu");
        await page.Keyboard.PressAsync("Escape");

        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings" })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "settings");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to AkashML" })).ToBeVisibleAsync();
        await shots.TakeAsync(page, "signed-out");

        Assert.True(File.Exists(Path.Combine(shots.Directory, "01-sign-in.png")));
    }


    [GeneratedRegex("/Account/Register")]
    private static partial Regex RegisterUrl();
}
