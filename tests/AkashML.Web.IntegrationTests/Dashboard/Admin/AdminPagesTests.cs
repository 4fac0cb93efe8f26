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

/// <summary>
/// The administrators' pages through HTTP: who may open them, and the first render of the models page and of an
/// inference found by id. The users grid and the grant form are bunit tests (Components.Tests/Admin).
/// </summary>
public sealed class AdminPagesTests(HostPool hosts) : IClassFixture<HostPool>
{
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

        // Even a well-formed grant post with a valid token for this session grants nothing (the grant form lives in the
        // administrator's circuit; the page takes no posts).
        var settings = await browser.GetAsync("Account/Manage");
        var token = settings.Forms.First(f => f.Fields.ContainsKey("__RequestVerificationToken")).Fields["__RequestVerificationToken"];
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
