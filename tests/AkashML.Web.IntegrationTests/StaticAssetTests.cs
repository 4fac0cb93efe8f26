using System.Net;
using System.Text.RegularExpressions;
using AkashML.Web.IntegrationTests.Infrastructure;

namespace AkashML.Web.IntegrationTests;

/// <summary>The pages' stylesheets (our own and MudBlazor's) are really served, with content.</summary>
public sealed partial class StaticAssetTests(HostPool hosts) : IClassFixture<HostPool>
{
    [Theory, SqliteData]
    public async Task Every_stylesheet_the_sign_in_page_links_is_served_with_content(DatabaseKind kind)
    {
        var host = await hosts.GetAsync(kind);
        using var browser = host.NewBrowser();
        var page = await browser.GetAsync("/");

        var sheets = Stylesheet().Matches(page.Html).Select(m => m.Groups["href"].Value).ToList();
        Assert.Equal(2, sheets.Count);
        Assert.Contains(sheets, s => s.Contains("MudBlazor", StringComparison.Ordinal));
        foreach (var sheet in sheets)
        {
            using var response = await browser.SendOnceAsync(HttpMethod.Get, page.Resolve(sheet));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
            Assert.True((await response.Content.ReadAsStringAsync()).Length > 1000, sheet + " has content");
        }
    }

    [GeneratedRegex(@"<link rel=""stylesheet"" href=""(?<href>[^""]+)""")]
    private static partial Regex Stylesheet();
}
