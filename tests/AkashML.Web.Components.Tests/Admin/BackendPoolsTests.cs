using AkashML.Web.Backends;
using AkashML.Web.Components.Pages.Admin;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;

namespace AkashML.Web.Components.Tests.Admin;

/// <summary>The admin's backends view: each routed model's backends with their state; drain and undrain act on the pool (and are stored for the other replicas).</summary>
public sealed class BackendPoolsTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public async Task Each_backend_is_listed_and_drain_then_undrain_change_what_the_pool_routes_to()
    {
        await SignInNewUserAsync(administrator: true);
        var pool = HostService<BackendRouter>().Find(DashboardHost.RoutedModel)!;
        var page = Render<BackendPools>();

        var rows = page.FindAll($"[data-testid='pool-{DashboardHost.RoutedModel}'] tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Contains("local", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:9/v1", rows[1].TextContent, StringComparison.Ordinal);

        page.Find("button[data-testid=backend-drain][data-backend='1']").Click();
        page.WaitForAssertion(() => Assert.True(pool.Backends[1].Drained));
        page.WaitForAssertion(() => Assert.Equal("Drained", page.Find("[data-testid=backend-health][data-backend='1']").TextContent.Trim()));
        Assert.Equal("Undrain", page.Find("button[data-testid=backend-drain][data-backend='1']").TextContent.Trim());

        page.Find("button[data-testid=backend-drain][data-backend='1']").Click();
        page.WaitForAssertion(() => Assert.False(pool.Backends[1].Drained));
        page.WaitForAssertion(() => Assert.Equal("Drain", page.Find("button[data-testid=backend-drain][data-backend='1']").TextContent.Trim()));
    }
}
