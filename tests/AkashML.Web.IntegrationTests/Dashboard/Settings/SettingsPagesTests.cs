using System.Net;
using System.Text.RegularExpressions;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Data.Inferences;
using AkashML.Data.Presets;
using AkashML.Web.Accounts;
using AkashML.Web.Keys;
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
    public async Task Deleting_the_account_needs_the_password_erases_the_person_and_keeps_the_money_trail(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("leaving");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;
        var secret = await host.WithServicesAsync(async sp =>
        {
            await sp.GetRequiredService<CreditLedger>().GrantAsync(userId, CreditSource.AdminGrant, 3_000_000, null, "gone soon", null, CancellationToken.None);
            var db = sp.GetRequiredService<AkashDbContext>();
            db.Presets.Add(new Preset { UserId = userId, Name = "mine", ModelId = "akashml/tiny-random", SystemPrompt = "private words" });
            db.InferencePayloads.Add(new InferencePayload { InferenceId = "inf-erase-" + Guid.NewGuid().ToString("N"), UserId = userId, RequestJson = "{\"prompt\":\"private words\"}", OutputText = "private output", CreatedAt = DateTimeOffset.UtcNow, ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) });
            await db.SaveChangesAsync();
            return (await sp.GetRequiredService<ApiKeyService>().CreateAsync(userId, "laptop of a person", ApiKeyLimits.None, CancellationToken.None)).Secret;
        });
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(new Uri("/v1/models", UriKind.Relative))).StatusCode);
        var ledgerBefore = await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().LedgerEntries.CountAsync(e => e.UserId == userId));
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
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync(new Uri("/v1/models", UriKind.Relative))).StatusCode);
        await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<AkashDbContext>();
            var row = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId);
            Assert.Equal($"{userId}@{AccountErasure.ErasedDomain}", row.Email);
            Assert.Null(row.PasswordHash);
            Assert.DoesNotContain(email, row.NormalizedEmail!, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(0, await db.Presets.CountAsync(p => p.UserId == userId));
            Assert.Equal(0, await db.InferencePayloads.CountAsync(p => p.UserId == userId));
            Assert.All(await db.ApiKeys.Where(k => k.UserId == userId).ToListAsync(), k =>
            {
                Assert.NotNull(k.RevokedAt);
                Assert.Equal("erased", k.Name);
            });

            // The money trail stays, anonymised: the same entries, still summing to the same balance.
            Assert.Equal(ledgerBefore, await db.LedgerEntries.CountAsync(e => e.UserId == userId));
            Assert.Equal(3_000_000, (await sp.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, CancellationToken.None)).UsableMicros);
            return true;
        });

        var signIn = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.False(AccountFlows.IsSignedIn(signIn));
        Assert.Equal(HttpStatusCode.OK, signIn.Status);

        // The address is free again for a new account.
        var again = await AccountFlows.RegisterAsync(browser, email, AccountFlows.GoodPassword);
        Assert.Equal("/Account/RegisterConfirmation", again.Path);
        Assert.NotEqual(userId, (await host.FindUserAsync(email))!.Id);
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
