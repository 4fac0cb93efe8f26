using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.Components.Pages.Billing;

namespace AkashML.Web.IntegrationTests.Dashboard.Shell;

/// <summary>Markup of the pools table, rendered with HtmlRenderer.</summary>
public sealed class ShellMarkupTests
{
    [Fact]
    public async Task The_pools_table_shows_source_amounts_expiry_and_status()
    {
        var created = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        IReadOnlyList<CreditPoolView> pools =
        [
            new(Guid.NewGuid(), CreditSource.Trial, 1_000_000, 250_000, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), false, created, "trial for verifying a payment method", null),
            new(Guid.NewGuid(), CreditSource.Purchase, 25_000_000, 25_000_000, null, false, created, "top-up", "pi_123"),
            new(Guid.NewGuid(), CreditSource.AdminGrant, 5_000_000, 0, null, false, created, "<b>thanks</b>", null),
            new(Guid.NewGuid(), CreditSource.AdminGrant, 2_000_000, 1_500_000, new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), true, created, null, null),
        ];

        var html = await MarkupRenderer.RenderAsync<PoolsTable>(new Dictionary<string, object?> { [nameof(PoolsTable.Pools)] = pools });

        Assert.Equal(4, CountOf(html, "<tr data-pool-source="));
        Assert.Contains("<tr data-pool-source=\"Trial\" data-pool-status=\"Active\">", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-pool-source=\"Purchase\" data-pool-status=\"Active\">", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-pool-source=\"AdminGrant\" data-pool-status=\"Used up\">", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-pool-source=\"AdminGrant\" data-pool-status=\"Expired\">", html, StringComparison.Ordinal);
        Assert.Contains("$0.25", html, StringComparison.Ordinal);
        Assert.Contains("$25.00", html, StringComparison.Ordinal);
        Assert.Contains("2026-12-01", html, StringComparison.Ordinal);
        Assert.Contains(">Never<", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"75% used\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"0% used\"", html, StringComparison.Ordinal);
        // Notes are text, never markup.
        Assert.Contains("&lt;b&gt;thanks&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"col\">Source</th>", html, StringComparison.Ordinal);

        var empty = await MarkupRenderer.RenderAsync<PoolsTable>(new Dictionary<string, object?> { [nameof(PoolsTable.Pools)] = Array.Empty<CreditPoolView>() });
        Assert.Contains("data-testid=\"pools-empty\"", empty, StringComparison.Ordinal);
        Assert.DoesNotContain("<table", empty, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string needle) => (text.Length - text.Replace(needle, "", StringComparison.Ordinal).Length) / needle.Length;
}
