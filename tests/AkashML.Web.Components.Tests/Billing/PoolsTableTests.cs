using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.Components.Pages.Billing;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;

namespace AkashML.Web.Components.Tests.Billing;

/// <summary>The pools table: source, amounts, how much is used, expiry and status of every pool; notes are text.</summary>
public sealed class PoolsTableTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public void Shows_source_amounts_expiry_and_status()
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

        Assert.Equal(4, table.FindAll("[data-pool-source]").Count);
        Assert.Single(table.FindAll("[data-pool-source=Trial][data-pool-status=Active]"));
        Assert.Single(table.FindAll("[data-pool-source=Purchase][data-pool-status=Active]"));
        Assert.Single(table.FindAll("[data-pool-source=AdminGrant][data-pool-status='Used up']"));
        Assert.Single(table.FindAll("[data-pool-source=AdminGrant][data-pool-status=Expired]"));
        Assert.Contains("$0.25", table.Markup, StringComparison.Ordinal);
        Assert.Contains("$25.00", table.Markup, StringComparison.Ordinal);
        Assert.Contains("2026-12-01", table.Markup, StringComparison.Ordinal);
        Assert.Contains(">Never<", table.Markup, StringComparison.Ordinal);
        Assert.Single(table.FindAll("[aria-label='75% used']"));
        Assert.Single(table.FindAll("[aria-label='0% used']"));
        // Notes are text, never markup.
        Assert.Contains("&lt;b&gt;thanks&lt;/b&gt;", table.Markup, StringComparison.Ordinal);
        Assert.Empty(table.FindAll("td b"));
    }

    [Fact]
    public void Says_so_when_there_are_no_credits()
    {
        var table = Render<PoolsTable>(p => p.Add(t => t.Pools, Array.Empty<CreditPoolView>()));

        Assert.NotNull(table.Find("[data-testid=pools-empty]"));
        Assert.Empty(table.FindAll("table"));
    }
}
