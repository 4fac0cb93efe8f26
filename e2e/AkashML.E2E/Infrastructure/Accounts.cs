using Microsoft.Playwright;

namespace AkashML.E2E.Infrastructure;

/// <summary>The sign-up and sign-in steps of <see cref="SignUpAndSignInTests"/> as calls, for tests that need a signed-in person.</summary>
public static class Accounts
{
    public const string Password = "Corr3ct-Horse!";

    /// <summary>Registers <paramref name="email"/>, confirms it through the dev outbox and signs in; ends on the dashboard.</summary>
    public static async Task SignUpAndSignInAsync(IPage page, string email)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync("/Account/Register");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("Confirm password").FillAsync(Password);
        await page.GetByTestId("register").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" })).ToBeVisibleAsync();

        await page.GotoAsync("/dev/outbox");
        await page.Locator($"tr[data-to='{email}'][data-purpose='ConfirmAccount']").GetByRole(AriaRole.Link, new() { Name = "Confirm account" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Email confirmed" })).ToBeVisibleAsync();

        await SignInAsync(page, email);
    }

    /// <summary>Signs in with email and password on the sign-in page; ends on the dashboard (its app bar shows the balance).</summary>
    public static async Task SignInAsync(IPage page, string email)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByTestId("header-balance")).ToBeVisibleAsync();
    }

    /// <summary>On a dashboard page: the account menu (opened once the circuit runs) names <paramref name="email"/>.</summary>
    public static async Task ExpectSignedInAsAsync(IPage page, string email)
    {
        await OpenAccountMenuAsync(page);
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync(email);
        await page.Keyboard.PressAsync("Escape");
    }

    /// <summary>
    /// Opens the app bar's account menu. Right after the circuit starts, MudBlazor's popover script may still be
    /// setting up and a first click can go unanswered; it is clicked again (only while the menu is still closed).
    /// </summary>
    public static async Task OpenAccountMenuAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        await Circuit.WaitAsync(page);
        var name = page.GetByTestId("user-name");
        for (var attempt = 0; attempt < 3 && !await name.IsVisibleAsync(); attempt++)
        {
            await page.GetByTestId("user-menu").ClickAsync();
            try
            {
                await name.WaitForAsync(new() { Timeout = 3_000 });
            }
            catch (TimeoutException)
            {
                // Not open yet: the loop clicks once more.
            }
        }
    }

    /// <summary>An address no other test of the run uses.</summary>
    public static string NewEmail(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + "@example.test";
}
