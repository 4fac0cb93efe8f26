using System.Net;
using System.Text.RegularExpressions;
using AkashML.Web.Hosting;
using AkashML.Web.IntegrationTests.Infrastructure;

namespace AkashML.Web.IntegrationTests.Hosting;

/// <summary>
/// The dashboard's pages carry the browser protections (CSP with scripts from this origin only, no framing, no
/// sniffing), and contain no inline script the policy would block; the APIs' JSON answers go without them.
/// </summary>
public sealed partial class SecurityHeadersTests(HostPool hosts) : IClassFixture<HostPool>
{
    [Theory, SqliteData]
    public async Task Pages_carry_the_policy_and_have_no_inline_scripts(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var pages = 0;
        foreach (var path in new[] { "/", "/Account/Login", "/Account/Register", "/status/404" })
        {
            using var response = await browser.SendOnceAsync(HttpMethod.Get, new Uri(browser.BaseAddress, path));
            Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var policy), path + " has no CSP");
            Assert.Equal(SecurityHeaders.ContentSecurityPolicy, Assert.Single(policy));
            Assert.Contains("script-src 'self';", SecurityHeaders.ContentSecurityPolicy, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", SecurityHeaders.ContentSecurityPolicy, StringComparison.Ordinal);
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));

            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found)
            {
                // The signed-out visitor's redirect to sign-in: protected all the same, no page to look into.
                continue;
            }

            var html = await response.Content.ReadAsStringAsync();
            var scripts = ScriptTag().Matches(html).Select(m => m.Value).ToList();
            Assert.NotEmpty(scripts);
            Assert.All(scripts, tag => Assert.Contains("src=", tag, StringComparison.Ordinal));
            pages++;
        }

        Assert.True(pages >= 3, "the sign-in, register and status pages should have been read");
        using var api = await browser.SendOnceAsync(HttpMethod.Get, new Uri(browser.BaseAddress, "/v1/models"));
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.False(api.Headers.Contains("Content-Security-Policy"));
    }

    [GeneratedRegex(@"<script\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();
}
