using System.Net;
using System.Net.Http.Headers;
using AkashML.Web.Accounts;
using AkashML.Web.Keys;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests;

/// <summary>What the account pages promise an attacker cannot use: cookie flags, and a throttle on credential forms per address.</summary>
public sealed class AccountHardeningTests(HostPool hosts) : IClassFixture<HostPool>
{
    [Fact]
    public async Task Credential_posts_beyond_the_limit_get_429_with_Retry_After_while_pages_and_apis_still_answer()
    {
        await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["SignInThrottle:AttemptsPerMinute"] = "3" });
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("throttled");
        await AccountFlows.CreateConfirmedUserAsync(host, email);

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var refused = await AccountFlows.SignInAsync(browser, email, "Wrong-Passw0rd!" + attempt);
            Assert.Equal(HttpStatusCode.OK, refused.Status);
            Assert.Contains("Invalid email or password", refused.Text, StringComparison.Ordinal);
        }

        // The fourth post is not even checked: not against the password, not against the lockout count.
        var login = await browser.GetAsync("Account/Login");
        Assert.Equal(HttpStatusCode.OK, login.Status);
        var fields = new Dictionary<string, string>(login.Form("login").Fields, StringComparer.Ordinal)
        {
            ["Input.Email"] = email,
            ["Input.Password"] = AccountFlows.GoodPassword,
        };
        using var throttled = await browser.SendOnceAsync(HttpMethod.Post, login.Url, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        var retryAfter = int.Parse(Assert.Single(throttled.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Contains("Too many sign-in attempts", await throttled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(3, (await host.FindUserAsync(email))!.AccessFailedCount);

        // Other forms from the same address share the budget; pages and the APIs do not count.
        var register = await AccountFlows.RegisterAsync(browser, AccountFlows.NewEmail("late"), AccountFlows.GoodPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, register.Status);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("Account/Login")).Status);
        using var models = await browser.App.GetAsync(new Uri("/v1/models", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
    }

    [Theory, SqliteData, PostgresData]
    public async Task The_session_cookie_is_HttpOnly_SameSite_Lax_and_Secure_over_HTTPS(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var email = AccountFlows.NewEmail("cookie");
        await AccountFlows.CreateConfirmedUserAsync(host, email);

        var login = await browser.GetAsync("Account/Login");
        var fields = new Dictionary<string, string>(login.Form("login").Fields, StringComparer.Ordinal)
        {
            ["Input.Email"] = email,
            ["Input.Password"] = AccountFlows.GoodPassword,
        };
        using var signedIn = await browser.SendOnceAsync(HttpMethod.Post, login.Url, new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var session = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));
        var flags = session.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(f => f.ToLowerInvariant()).ToList();
        Assert.Contains("httponly", flags);
        Assert.Contains("secure", flags);
        Assert.Contains("samesite=lax", flags);
        Assert.Contains("path=/", flags);
    }

    [Fact]
    public async Task In_production_the_dev_outbox_does_not_exist_unless_allowed()
    {
        await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Email:DevOutboxInProduction"] = "false" });
        using var browser = host.NewBrowser();

        var registered = await AccountFlows.RegisterAsync(browser, AccountFlows.NewEmail("prod"), AccountFlows.GoodPassword);

        Assert.Equal("/Account/RegisterConfirmation", registered.Path);
        Assert.DoesNotContain("dev outbox", registered.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("dev/outbox")).Status);
    }

    [Fact]
    public async Task Each_route_has_its_own_body_limit_and_a_bigger_body_gets_413()
    {
        // Kestrel, not the in-process test server: the limit is Kestrel's.
        await using var host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, realHttp: true);
        using var browser = host.NewBrowser();

        // A dashboard form: 1 MiB by default (Dashboard:MaxFormBodyBytes).
        var login = await browser.GetAsync("Account/Login");
        var fields = new Dictionary<string, string>(login.Form("login").Fields, StringComparer.Ordinal)
        {
            ["Input.Email"] = AccountFlows.NewEmail("big"),
            ["Input.Password"] = new string('x', 1100 * 1024),
        };
        using var tooBig = await browser.SendOnceAsync(HttpMethod.Post, login.Url, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Contains("too much to send", await tooBig.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The same size is read by the API (4 MiB by default), which refuses only what is over its own limit.
        var key = await host.WithServicesAsync(async services =>
        {
            var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(AccountFlows.NewEmail("bodies"), AccountFlows.GoodPassword, admin: false);
            return (await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "k", ApiKeyLimits.None, CancellationToken.None)).Secret;
        });
        using var client = new HttpClient { BaseAddress = host.RealAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var read = await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), new StringContent(
            "{\"model\":\"no-such-model\",\"prompt\":\"" + new string('x', 1100 * 1024) + "\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Contains("no-such-model", await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var hugeAnswer = await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), new StringContent(
            "{\"model\":\"no-such-model\",\"prompt\":\"" + new string('x', 5 * 1024 * 1024) + "\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, hugeAnswer.StatusCode);
        Assert.Contains("\"error\"", await hugeAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
