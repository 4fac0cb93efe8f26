using System.Net;
using System.Text.RegularExpressions;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Settings;

/// <summary>Account settings through HTTP: two-factor with an authenticator app (QR code, TOTP, recovery codes) and deleting the account.</summary>
public sealed partial class SettingsPagesTests(HostPool hosts) : IClassFixture<HostPool>
{
    [Fact]
    public void The_test_totp_matches_the_rfc_6238_vector()
    {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890" at 59 s: 94287082 (8 digits), so 287082 with 6.
        const string Secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        Assert.Equal("287082", Totp.Code(Secret, DateTimeOffset.FromUnixTimeSeconds(59)));
        Assert.Equal("081804", Totp.Code(Secret, DateTimeOffset.FromUnixTimeSeconds(1111111109)));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Two_factor_setup_shows_a_qr_code_and_a_valid_totp_turns_it_on(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("totp");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);

        var overview = await browser.GetAsync("Account/Manage/TwoFactorAuthentication");
        Assert.Contains("data-testid=\"2fa-state\">Off<", overview.Html, StringComparison.Ordinal);
        var setup = await browser.GetAsync("Account/Manage/EnableAuthenticator");
        var qr = QrImage().Match(setup.Html);
        Assert.True(qr.Success, "The set-up page shows the QR code as a PNG data URI.");
        var png = Convert.FromBase64String(WebUtility.HtmlDecode(qr.Groups["png"].Value));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(png.Length > 500, "A real QR image, not a placeholder.");
        var key = SharedKey().Match(setup.Html).Groups["key"].Value;
        Assert.Matches("^([a-z2-7]{4} )+[a-z2-7]{1,4}$", key);

        var wrong = await browser.SubmitAsync(setup, "send-code", new Dictionary<string, string> { ["Input.Code"] = WrongCode(key) });
        Assert.Contains("That code is not valid", wrong.Text, StringComparison.Ordinal);
        Assert.False((await host.FindUserAsync(email))!.TwoFactorEnabled);

        var enabled = await browser.SubmitAsync(setup, "send-code", new Dictionary<string, string> { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        Assert.Contains("Two-factor authentication is on", enabled.Text, StringComparison.Ordinal);
        Assert.Equal(10, Regex.Count(enabled.Html, "class=\"recovery-code\""));
        Assert.True((await host.FindUserAsync(email))!.TwoFactorEnabled);

        // The next sign-in asks for a code, and the app's code lets the person in.
        var again = await AccountFlows.SignOutAsync(browser, enabled);
        var challenge = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.Equal("/Account/LoginWith2fa", challenge.Path);
        var signedIn = await browser.SubmitAsync(challenge, "login-with-2fa", new Dictionary<string, string> { ["Input.TwoFactorCode"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        Assert.True(AccountFlows.IsSignedIn(signedIn), signedIn.Text);
        Assert.False(AccountFlows.IsSignedIn(again));
        var status = await browser.GetAsync("Account/Manage/TwoFactorAuthentication");
        Assert.Contains("data-testid=\"2fa-state\">On<", status.Html, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Deleting_the_account_needs_the_password_and_removes_everything(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("leaving");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;
        await host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GrantAsync(userId, CreditSource.AdminGrant, 3_000_000, null, "gone soon", null, CancellationToken.None));
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);

        var page = await browser.GetAsync("Account/Manage/DeletePersonalData");
        var wrong = await browser.SubmitAsync(page, "delete-user", new Dictionary<string, string> { ["Input.Password"] = "Not-the-Passw0rd!" });
        Assert.Contains("That password is not right. Nothing was deleted.", wrong.Text, StringComparison.Ordinal);
        var empty = await browser.SubmitAsync(page, "delete-user", new Dictionary<string, string> { ["Input.Password"] = "" });
        Assert.Contains("Enter your password to confirm.", empty.Text, StringComparison.Ordinal);
        Assert.NotNull(await host.FindUserAsync(email));

        var deleted = await browser.SubmitAsync(page, "delete-user", new Dictionary<string, string> { ["Input.Password"] = AccountFlows.GoodPassword });

        Assert.Equal("/Account/Login", deleted.Path);
        Assert.False(AccountFlows.IsSignedIn(deleted));
        Assert.Null(await host.FindUserAsync(email));
        Assert.Equal(0, await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditPools.CountAsync(p => p.UserId == userId)));
        var signIn = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.False(AccountFlows.IsSignedIn(signIn));
        Assert.Equal(HttpStatusCode.OK, signIn.Status);
    }

    private static string WrongCode(string key)
    {
        var now = DateTimeOffset.UtcNow;
        var valid = Enumerable.Range(-3, 7).Select(i => Totp.Code(key, now.AddSeconds(30 * i))).ToHashSet();
        return Enumerable.Range(0, 1000).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }

    [GeneratedRegex(@"<img src=""data:image/png;base64,(?<png>[^""]+)"" alt=""QR code[^""]*""")]
    private static partial Regex QrImage();

    [GeneratedRegex(@"data-testid=""shared-key"">(?<key>[^<]+)<")]
    private static partial Regex SharedKey();
}
