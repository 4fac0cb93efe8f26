using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Admin;

/// <summary>The administrators' pages through HTTP: users with balances and the grant form, models, any inference by id.</summary>
public sealed class AdminPagesTests(HostPool hosts) : IClassFixture<HostPool>
{
    [Theory, SqliteData, PostgresData]
    public async Task An_administrator_grants_credits_and_the_user_sees_them(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        var (admin, adminEmail) = await SignInAdminAsync(host);
        using var _ = admin;
        var email = AccountFlows.NewEmail("grantee");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;

        var list = await admin.GetAsync("admin/users?q=" + Uri.EscapeDataString(email));
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Contains($"data-user-email=\"{email}\"", list.Html, StringComparison.Ordinal);
        Assert.Contains("$0.00", list.Text, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-user-email=\"{adminEmail}\"", list.Html, StringComparison.Ordinal);

        var detail = await admin.GetAsync($"admin/users/{Uri.EscapeDataString(userId)}");
        var expiry = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var granted = await admin.SubmitAsync(detail, "grant", new Dictionary<string, string>
        {
            ["Grant.Amount"] = "7.5",
            ["Grant.Expires"] = expiry,
            ["Grant.Reason"] = "sorry for the outage",
        });

        Assert.Contains($"Granted $7.50 to {email}", granted.Text, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"admin-user-balance\">$7.50<", granted.Html, StringComparison.Ordinal);
        var pool = await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditPools.AsNoTracking().SingleAsync(p => p.UserId == userId));
        Assert.Equal(CreditSource.AdminGrant, pool.Source);
        Assert.Equal(7_500_000, pool.AmountMicros);
        Assert.Equal("sorry for the outage", pool.Reason);
        Assert.Equal($"granted by {adminEmail}", pool.Reference);
        Assert.Equal(DateOnly.ParseExact(expiry, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(1), DateOnly.FromDateTime(pool.ExpiresAt!.Value.UtcDateTime));

        var listed = await admin.GetAsync("admin/users?q=" + Uri.EscapeDataString(email));
        Assert.Contains("data-testid=\"user-balance\">$7.50<", listed.Html, StringComparison.Ordinal);

        using var user = host.NewBrowser();
        await AccountFlows.SignInAsync(user, email, AccountFlows.GoodPassword);
        var billing = await user.GetAsync("billing");
        Assert.Contains("data-testid=\"billing-balance\">$7.50<", billing.Html, StringComparison.Ordinal);
        Assert.Contains("sorry for the outage", billing.Text, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Bad_grant_input_is_refused_inline_and_grants_nothing(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        var (admin, _) = await SignInAdminAsync(host);
        using var __ = admin;
        var email = AccountFlows.NewEmail("badgrant");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;
        var detail = await admin.GetAsync($"admin/users/{Uri.EscapeDataString(userId)}");

        var cases = new (string Amount, string Expires, string Reason, string Message)[]
        {
            ("abc", "", "why", "'abc' is not an amount in USD"),
            ("0", "", "why", "The amount must be more than $0"),
            ("-3", "", "why", "'-3' is not an amount in USD"),
            ("1.0000001", "", "why", "At most six decimals"),
            ("200000", "", "why", "at most $100,000"),
            ("5", "2001-01-01", "why", "The expiry must be today or later."),
            ("5", "next week", "why", "Use a date like 2027-01-31."),
            ("5", "", "   ", "Say why"),
        };
        foreach (var (amount, expires, reason, message) in cases)
        {
            var refused = await admin.SubmitAsync(detail, "grant", new Dictionary<string, string>
            {
                ["Grant.Amount"] = amount, ["Grant.Expires"] = expires, ["Grant.Reason"] = reason,
            });
            Assert.Contains(message, refused.Text, StringComparison.Ordinal);
            Assert.Contains("aria-invalid=\"true\"", refused.Html, StringComparison.Ordinal);
        }

        Assert.Equal(0, await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditPools.CountAsync(p => p.UserId == userId)));
        var missing = await admin.GetAsync("admin/users/no-such-user");
        Assert.Contains("No user with this id", missing.Text, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task People_who_are_not_administrators_are_refused_and_see_no_admin_links(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        var (admin, _) = await SignInAdminAsync(host);
        using var ___ = admin;
        var email = AccountFlows.NewEmail("plain");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var userId = (await host.FindUserAsync(email))!.Id;
        using var browser = host.NewBrowser();
        var home = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.DoesNotContain("admin/users", home.Html, StringComparison.Ordinal);
        Assert.Contains("nav-admin-users", (await admin.GetAsync("")).Html, StringComparison.Ordinal);

        foreach (var path in new[] { "admin/users", $"admin/users/{Uri.EscapeDataString(userId)}", "admin/models", "admin/inferences/inf_x" })
        {
            var refused = await browser.GetAsync(path);
            Assert.Equal("/Account/AccessDenied", refused.Path);
            Assert.Contains("Access denied", refused.Text, StringComparison.Ordinal);
        }

        // Even a well-formed grant post with a valid token for this session grants nothing.
        var billing = await browser.GetAsync("billing");
        var token = billing.Forms.First(f => f.Fields.ContainsKey("__RequestVerificationToken")).Fields["__RequestVerificationToken"];
        using var post = await browser.SendOnceAsync(HttpMethod.Post, new Uri(AkashWebHost.BaseAddress, $"admin/users/{Uri.EscapeDataString(userId)}"),
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["_handler"] = "grant", ["Grant.Amount"] = "100", ["Grant.Reason"] = "self-service",
            }));
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(0, await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().CreditPools.CountAsync(p => p.UserId == userId)));
    }

    [Theory, SqliteData]
    public async Task Models_show_their_status_and_any_inference_is_found_by_id(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        var (admin, _) = await SignInAdminAsync(host);
        using var ____ = admin;

        var models = await admin.GetAsync("admin/models");
        Assert.Contains("data-model-id=\"akashml/tiny-random\"", models.Html, StringComparison.Ordinal);

        // Someone else's API request...
        var email = AccountFlows.NewEmail("caller");
        await AccountFlows.CreateConfirmedUserAsync(host, email);
        var user = (await host.FindUserAsync(email))!;
        var secret = await host.WithServicesAsync(async sp =>
        {
            await sp.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 10_000_000, null, "test", null, CancellationToken.None);
            return (await sp.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "support-case", ApiKeyLimits.None, CancellationToken.None)).Secret;
        });
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await api.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(
            """{"model":"akashml/tiny-random","max_tokens":5,"messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var inferenceId = response.Headers.GetValues("Inference-Id").Single();

        // ...is found by its id, with whose it was, the key, the model and the credits it moved.
        var lookup = await admin.GetAsync("admin/inferences?id=" + Uri.EscapeDataString(inferenceId));
        Assert.Equal($"/admin/inferences/{inferenceId}", lookup.Path);
        Assert.Contains("data-testid=\"inference-detail\"", lookup.Html, StringComparison.Ordinal);
        Assert.Contains(email, lookup.Text, StringComparison.Ordinal);
        Assert.Contains("support-case", lookup.Text, StringComparison.Ordinal);
        Assert.Contains("akashml/tiny-random", lookup.Text, StringComparison.Ordinal);
        Assert.Contains("Settlement", lookup.Text, StringComparison.Ordinal);
        var missing = await admin.GetAsync("admin/inferences/inf_does_not_exist");
        Assert.Contains("No request has the id", missing.Text, StringComparison.Ordinal);

        // The request loaded the model; the page says so.
        models = await admin.GetAsync("admin/models");
        Assert.Contains("data-model-id=\"akashml/tiny-random\" data-model-status=\"loaded\"", models.Html, StringComparison.Ordinal);
    }

    private static async Task<(BrowserSession Browser, string Email)> SignInAdminAsync(AkashWebHost host)
    {
        var email = AccountFlows.NewEmail("admin");
        await host.WithServicesAsync(sp => sp.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(email, AccountFlows.GoodPassword, admin: true));
        var browser = host.NewBrowser();
        await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        return (browser, email);
    }
}
