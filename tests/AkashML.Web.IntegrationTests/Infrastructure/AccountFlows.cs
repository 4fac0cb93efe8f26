using System.Net;
using System.Text.RegularExpressions;
using AkashML.Web.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>The sign-up and sign-in steps through the real pages, for tests that need an account or test these steps.</summary>
public static partial class AccountFlows
{
    /// <summary>A password that satisfies the host's policy.</summary>
    public const string GoodPassword = "Corr3ct-Horse!";

    /// <summary>A unique address per call, so tests sharing a host never collide.</summary>
    public static string NewEmail(string label = "user") => $"{label}-{Guid.NewGuid():N}@example.test";

    public static async Task<HtmlPage> RegisterAsync(BrowserSession browser, string email, string password, string? confirmPassword = null)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var page = await browser.GetAsync("Account/Register");
        return await browser.SubmitAsync(page, "register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = confirmPassword ?? password,
        });
    }

    /// <summary>Reads the newest link of <paramref name="purpose"/> sent to <paramref name="email"/> from the <c>/dev/outbox</c> page.</summary>
    public static async Task<Uri> LinkFromOutboxAsync(BrowserSession browser, string email, string purpose = "ConfirmAccount")
    {
        ArgumentNullException.ThrowIfNull(browser);
        var outbox = await browser.GetAsync("dev/outbox");
        if (outbox.Status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"The dev outbox answered {(int)outbox.Status}.");
        }

        foreach (Match row in OutboxRow().Matches(outbox.Html))
        {
            if (WebUtility.HtmlDecode(row.Groups["to"].Value) == email && row.Groups["purpose"].Value == purpose)
            {
                return new Uri(WebUtility.HtmlDecode(row.Groups["href"].Value));
            }
        }

        throw new InvalidOperationException($"No {purpose} email to {email} in the dev outbox. Outbox text: {outbox.Text}");
    }

    public static async Task<HtmlPage> SignInAsync(BrowserSession browser, string email, string password, string startPage = "Account/Login")
    {
        ArgumentNullException.ThrowIfNull(browser);
        var page = await browser.GetAsync(startPage);
        return await browser.SubmitAsync(page, "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
    }

    /// <summary>Presses "Sign out" in the header of <paramref name="page"/> (a signed-in page).</summary>
    /// <summary>Signs out with the sign-out form (on a static page when <paramref name="page"/> is a dashboard page, whose form lives in the account menu).</summary>
    public static async Task<HtmlPage> SignOutAsync(BrowserSession browser, HtmlPage page)
    {
        ArgumentNullException.ThrowIfNull(browser);
        ArgumentNullException.ThrowIfNull(page);
        var withForm = page.Forms.Any(IsSignOut) ? page : await browser.GetAsync("Account/Manage");
        return await browser.SubmitAsync(withForm, withForm.Form("Account/Logout"));
    }

    /// <summary>Register, confirm via the outbox, sign in: a ready account and its signed-in browser page.</summary>
    public static async Task<HtmlPage> SignUpAndSignInAsync(BrowserSession browser, string email, string password = GoodPassword)
    {
        await RegisterAsync(browser, email, password);
        await browser.NavigateAsync(await LinkFromOutboxAsync(browser, email));
        return await SignInAsync(browser, email, password);
    }

    /// <summary>Creates a confirmed account directly through the host's provisioning service (no pages).</summary>
    public static Task CreateConfirmedUserAsync(AkashWebHost host, string email, string? password = GoodPassword)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.WithServicesAsync(sp => sp.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(email, password, admin: false));
    }

    /// <summary>Whether <paramref name="page"/> is rendered for a signed-in person (the header's sign-out form is there).</summary>
    public static bool IsSignedIn(HtmlPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        // Static pages carry the sign-out form; dashboard pages show the balance in their app bar.
        return page.Forms.Any(IsSignOut) || page.Html.Contains("data-testid=\"header-balance\"", StringComparison.Ordinal);
    }

    private static bool IsSignOut(HtmlForm form) => form.Action?.EndsWith("Account/Logout", StringComparison.OrdinalIgnoreCase) == true;

    [GeneratedRegex(@"<tr data-purpose=""(?<purpose>[^""]+)"" data-to=""(?<to>[^""]+)"">.*?<a href=""(?<href>[^""]+)""", RegexOptions.Singleline)]
    private static partial Regex OutboxRow();
}
