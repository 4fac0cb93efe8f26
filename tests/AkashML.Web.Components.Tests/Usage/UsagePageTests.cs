using System.Globalization;
using AkashML.Web.Components.Pages.Usage;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Shell;
using AkashML.Web.Usage;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;

namespace AkashML.Web.Components.Tests.Usage;

public sealed class UsagePageTests(DashboardHost host) : DashboardTest(host)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Shows_totals_charts_and_the_grid_for_real_requests_with_unknown_models_labelled()
    {
        var user = await SignInNewUserAsync(credits: 5m);
        var key = await UsageData.CreateKeyAsync(Host, user.Id, "production");
        var ok = await UsageData.CompleteAsync(Host, key.Secret);
        var missing = await UsageData.CompleteAsync(Host, key.Secret, model: "no/such-model");
        Assert.Equal((200, 404), (ok.Status, missing.Status));

        var page = Render<UsagePage>();

        page.WaitForAssertion(() => Assert.Equal("2", page.Find("[data-testid=total-requests]").TextContent.Trim()), Wait);
        Assert.NotEmpty(page.FindAll("[data-testid=tokens-chart] svg"));
        Assert.NotEmpty(page.FindAll("[data-testid=spend-chart] svg"));
        Assert.NotEmpty(page.FindAll("[data-testid=requests-chart] svg"));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=recent-table] a[data-inference-id]").Count), Wait);
        var models = page.FindAll("[data-testid=row-model]").Select(m => m.TextContent.Trim()).ToList();
        Assert.Contains(UsageData.Model, models);
        Assert.Contains(UsageFormat.UnknownModel, models);
        Assert.Contains(UsageFormat.UnknownModel, page.Find("[data-testid=models-table]").TextContent, StringComparison.Ordinal);
        Assert.Contains("production", page.Find("[data-testid=recent-table]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find($"a[data-inference-id='{ok.InferenceId}'][href='inferences/{ok.InferenceId}']"));
        Assert.Single(page.FindAll("h1"));
    }

    [Fact]
    public async Task Changing_a_filter_updates_the_url_the_totals_the_grid_and_the_export_link()
    {
        var user = await SignInNewUserAsync();
        var now = DateTimeOffset.UtcNow;
        await UsageData.SeedAsync(Host, [
            UsageData.Record(user.Id, 1, now.AddMinutes(-5), model: "m/alpha"),
            UsageData.Record(user.Id, 2, now.AddMinutes(-4), model: "m/beta"),
            UsageData.Record(user.Id, 3, now.AddMinutes(-3), model: "m/beta", status: "error"),
            UsageData.Record(user.Id, 4, now.AddDays(-20), model: "m/alpha"),
        ]);
        var navigation = HostlessNavigation();
        var page = Render<UsagePage>();
        page.WaitForAssertion(() => Assert.Equal("4", page.Find("[data-testid=total-requests]").TextContent.Trim()), Wait);

        // A range preset: seven days, no Apply button.
        page.Find("[data-testid=range-7]").Click();
        page.WaitForAssertion(() => Assert.Equal("3", page.Find("[data-testid=total-requests]").TextContent.Trim()), Wait);
        Assert.Contains($"from={DateTime.UtcNow.AddDays(-6):yyyy-MM-dd}", navigation.Uri, StringComparison.Ordinal);
        Assert.Contains($"to={Today}", navigation.Uri, StringComparison.Ordinal);

        // The model filter: the select's change callback, as a pick from its list raises it.
        await PickAsync(page, "Model", "m/beta");
        page.WaitForAssertion(() => Assert.Equal("2", page.Find("[data-testid=total-requests]").TextContent.Trim()), Wait);
        Assert.Contains("model=m%2Fbeta", navigation.Uri, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=recent-table] a[data-inference-id]").Count), Wait);

        await PickAsync(page, "Status", "error");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=recent-table] a[data-inference-id]")), Wait);
        Assert.Contains("status=error", navigation.Uri, StringComparison.Ordinal);
        var export = page.Find("[data-testid=export-csv]").GetAttribute("href")!;
        Assert.StartsWith("usage/export.csv?", export, StringComparison.Ordinal);
        Assert.Contains("model=m%2Fbeta", export, StringComparison.Ordinal);
        Assert.Contains("status=error", export, StringComparison.Ordinal);

        page.Find("[data-testid=clear-filters]").Click();
        page.WaitForAssertion(() => Assert.Equal("3", page.Find("[data-testid=total-requests]").TextContent.Trim()), Wait);
        Assert.DoesNotContain("model=", navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Url_parameters_restore_the_filters_and_bad_values_say_why_they_were_ignored()
    {
        var user = await SignInNewUserAsync();
        var now = DateTimeOffset.UtcNow;
        var key = await UsageData.CreateKeyAsync(Host, user.Id, "batch");
        var keyed = UsageData.Record(user.Id, 1, now.AddMinutes(-2), model: "m/alpha");
        keyed.ApiKeyId = key.Id;
        await UsageData.SeedAsync(Host, [keyed, UsageData.Record(user.Id, 2, now.AddMinutes(-1), model: "m/alpha")]);

        var page = RenderAt($"usage?from={Today}&to={Today}&granularity=hour&key={key.Id}&model=m%2Falpha");

        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-testid=total-requests]").TextContent.Trim()), Wait);
        var filter = page.Instance.Filter;
        Assert.Equal((DateOnly.FromDateTime(DateTime.UtcNow), UsageGranularityHour, key.Id, "m/alpha"), (filter.From, filter.Granularity, filter.KeyId, filter.Model));
        Assert.Equal("hour", SelectValue(page, "Granularity"));
        Assert.Equal(key.Id.ToString(), SelectValue(page, "API key"));
        Assert.Equal("m/alpha", SelectValue(page, "Model"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=recent-table] a[data-inference-id]")), Wait);
        Assert.Contains(keyed.InferenceId, page.Find("[data-testid=recent-table]").InnerHtml, StringComparison.Ordinal);

        var odd = RenderAt("usage?from=yesterday&granularity=minute");
        odd.WaitForAssertion(() => Assert.Equal(2, odd.FindAll("[data-testid=filter-problem]").Count), Wait);
        Assert.EndsWith("usage?from=yesterday&granularity=minute", HostlessNavigation().Uri, StringComparison.Ordinal);
        Assert.Contains("'yesterday' is not a date", odd.Markup, StringComparison.Ordinal);
        Assert.Contains("Unknown granularity 'minute'", odd.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_grid_pages_and_sorts_on_the_server()
    {
        var user = await SignInNewUserAsync();
        var now = DateTimeOffset.UtcNow;
        await UsageData.SeedAsync(Host, Enumerable.Range(0, UsageQueries.PageSize + 7).Select(i => UsageData.Record(user.Id, i, now.AddSeconds(-i))));
        var page = Render<UsagePage>();

        page.WaitForAssertion(() => Assert.Equal(UsageQueries.PageSize, Rows(page).Count), Wait);
        // Newest first: the first row is record 0.
        Assert.Contains("inf-test-00000", Rows(page)[0], StringComparison.Ordinal);
        Assert.Contains($"1-{UsageQueries.PageSize} of {UsageQueries.PageSize + 7}", page.Find(".mud-table-pagination").TextContent, StringComparison.Ordinal);

        var grid = page.FindComponent<MudDataGrid<UsageRow>>();
        await page.InvokeAsync(() => grid.Instance.NavigateTo(Page.Next));
        page.WaitForAssertion(() => Assert.Equal(7, Rows(page).Count), Wait);
        Assert.Contains("inf-test-00056", Rows(page)[^1], StringComparison.Ordinal);

        // Sorting by cost asks the server for the most expensive first.
        await page.InvokeAsync(() => grid.Instance.SetSortAsync(nameof(UsageRow.CostMicros), SortDirection.Descending, r => r.CostMicros));
        await page.InvokeAsync(() => grid.Instance.NavigateTo(Page.First));
        page.WaitForAssertion(() =>
        {
            var costs = page.FindAll("[data-testid=recent-table] tbody tr").Select(r => r.Children[5].TextContent.Trim()).ToList();
            Assert.Equal(UsageQueries.PageSize, costs.Count);
            Assert.Equal("$0.001", costs[0]);
        }, Wait);
    }

    [Fact]
    public async Task The_grid_shows_each_requests_cached_prompt_tokens_and_the_totals_their_sum()
    {
        var user = await SignInNewUserAsync();
        var now = DateTimeOffset.UtcNow;
        var cached = UsageData.Record(user.Id, 2000, now.AddMinutes(-1));
        cached.CachedPromptTokens = 1984;
        var cold = UsageData.Record(user.Id, 3, now.AddMinutes(-2));
        await UsageData.SeedAsync(Host, [cached, cold]);

        var page = Render<UsagePage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=row-cached]").Count), Wait);
        // Newest first.
        Assert.Equal(["1,984", "0"], page.FindAll("[data-testid=row-cached]").Select(c => c.TextContent.Trim()));

        // The day's total, from the daily rollups.
        page.WaitForAssertion(() => Assert.Equal("1,984", page.Find("[data-testid=total-cached]").TextContent.Trim()), Wait);
    }

    [Fact]
    public async Task Live_follows_new_requests_when_the_account_changes()
    {
        var user = await SignInNewUserAsync();
        var page = RenderAt("usage?live=1");
        page.WaitForAssertion(() => Assert.Equal("0", page.Find("[data-testid=total-requests]").TextContent.Trim()), Wait);
        Assert.NotNull(page.Find("[data-testid=live-state]"));

        var record = UsageData.Record(user.Id, 9, DateTimeOffset.UtcNow, model: "");
        await UsageData.SeedAsync(Host, [record]);
        HostService<AccountChanges>().Publish(user.Id);

        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-testid=total-requests]").TextContent.Trim()), Wait);
        page.WaitForAssertion(() => Assert.Contains(record.InferenceId, page.Find("[data-testid=recent-table]").InnerHtml, StringComparison.Ordinal), Wait);
        Assert.Equal(UsageFormat.UnknownModel, page.Find("[data-testid=row-model]").TextContent.Trim());

        // Turning it off stops following and says so in the URL.
        var navigation = HostlessNavigation();
        await page.InvokeAsync(() => page.FindComponent<MudSwitch<bool>>().Instance.ValueChanged.InvokeAsync(false));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=live-state]")), Wait);
        Assert.DoesNotContain("live=1", navigation.Uri, StringComparison.Ordinal);
    }

    private const AkashML.Data.Usage.UsageGranularity UsageGranularityHour = AkashML.Data.Usage.UsageGranularity.Hour;

    private NavigationManager HostlessNavigation() => Services.GetRequiredService<NavigationManager>();

    /// <summary>Opens the page at an address, as a link or a reload does (the query string supplies its parameters).</summary>
    private IRenderedComponent<UsagePage> RenderAt(string relative)
    {
        HostlessNavigation().NavigateTo(relative);
        return Render<UsagePage>();
    }

    private static List<string> Rows(IRenderedComponent<UsagePage> page) =>
        [.. page.FindAll("[data-testid=recent-table] a[data-inference-id]").Select(a => a.GetAttribute("data-inference-id")!)];

    private static IRenderedComponent<MudSelect<string>> Select(IRenderedComponent<UsagePage> page, string label) =>
        page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == label);

    private static string? SelectValue(IRenderedComponent<UsagePage> page, string label) => Select(page, label).Instance.GetState(x => x.Value);

    private static Task PickAsync(IRenderedComponent<UsagePage> page, string label, string value)
    {
        var select = Select(page, label);
        return page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(value));
    }
}
