namespace AkashML.Web.IntegrationTests.Dashboard.Keys;

/// <summary>
/// The keys page over HTTP: a signed-out visitor gets the sign-in form, never a key. (What the page does is covered by
/// the bunit tests in AkashML.Web.Components.Tests/Keys.)
/// </summary>
public sealed class KeysPageTests(DashboardHost fixture) : IClassFixture<DashboardHost>
{
    [Fact]
    public async Task Signed_out_visitors_get_the_sign_in_form_and_no_keys()
    {
        using var browser = fixture.Host.NewBrowser();
        foreach (var path in new[] { "keys", "usage", "inferences" })
        {
            var page = await browser.GetAsync(path);
            Assert.Contains("Sign in to AkashML", page.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"keys-grid\"", page.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("Recent requests", page.Text, StringComparison.Ordinal);
        }
    }
}
