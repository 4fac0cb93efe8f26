using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.Components.Pages.Billing;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;

namespace AkashML.Web.Components.Tests.Billing;

public sealed class PoolsTableTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public void Each_pool_shows_its_source_amounts_expiry_use_and_status_and_notes_stay_text()
    {
        var created = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        IReadOnlyList<CreditPoolView> pools =
        [
            new(Guid.NewGuid(), CreditSource.Trial, 1_000_000, 250_000, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), false, created, "trial for verifying a payment method", null),
            new(Guid.NewGuid(), CreditSource.Purchase, 25_000_000, 25_000_000, null, false, created, "top-up", "pi_123"),
            new(Guid.NewGuid(), CreditSource.AdminGrant, 5_000_000, 0, null, false, created, "<b>thanks</b>", null),
            new(Guid.NewGuid(), CreditSource.AdminGrant, 2_000_000, 1_500_000, new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), true, created, null, null),
        ];

        var table = Render<PoolsTable>(p => p.Add(t => t.Pools, pools));

        var rows = table.FindAll("[data-pool-source]").Select(r => (r.GetAttribute("data-pool-source"), r.GetAttribute("data-pool-status"))).ToList();
        Assert.Equal([("Trial", "Active"), ("Purchase", "Active"), ("AdminGrant", "Used up"), ("AdminGrant", "Expired")], rows);
        var text = table.Find("table").TextContent;
        Assert.Contains("$0.25", text, StringComparison.Ordinal);
        Assert.Contains("$25.00", text, StringComparison.Ordinal);
        Assert.Contains("2026-12-01", text, StringComparison.Ordinal);
        Assert.Contains("Never", text, StringComparison.Ordinal);
        Assert.NotEmpty(table.FindAll("[aria-label='75% used']"));
        Assert.NotEmpty(table.FindAll("[aria-label='0% used']"));
        // Notes are text, never markup.
        Assert.Contains("<b>thanks</b>", text, StringComparison.Ordinal);
        Assert.Empty(table.FindAll("td b"));
    }

    [Fact]
    public void No_pools_says_so_instead_of_an_empty_table()
    {
        var table = Render<PoolsTable>(p => p.Add(t => t.Pools, Array.Empty<CreditPoolView>()));

        Assert.NotNull(table.Find("[data-testid=pools-empty]"));
        Assert.Empty(table.FindAll("table"));
    }
}
