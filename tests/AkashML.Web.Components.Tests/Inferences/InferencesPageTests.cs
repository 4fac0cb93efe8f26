using AkashML.Web.Components.Pages.Inferences;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Components.Tests.Usage;
using AkashML.Web.Inferences;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using AkashML.Web.Usage;

namespace AkashML.Web.Components.Tests.Inferences;

public sealed class InferencesPageTests(DashboardHost host) : DashboardTest(host)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_grid_lists_requests_and_the_status_filter_lives_in_the_url()
    {
        var user = await SignInNewUserAsync(credits: 5m);
        var key = await UsageData.CreateKeyAsync(Host, user.Id, "grid-key");
        var ok = await UsageData.CompleteAsync(Host, key.Secret);
        var failed = await UsageData.CompleteAsync(Host, key.Secret, model: "no/such-model");

        var page = Render<InferencesPage>();
        page.WaitForAssertion(() => Assert.Equal(2, Ids(page).Count), Wait);
        Assert.Equal([failed.InferenceId, ok.InferenceId], Ids(page));

        var select = page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Status");
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync("error"));
        page.WaitForAssertion(() => Assert.Equal([failed.InferenceId], Ids(page)), Wait);
        Assert.EndsWith("inferences?status=error", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);

        Services.GetRequiredService<NavigationManager>().NavigateTo("inferences?status=ok");
        var restored = Render<InferencesPage>();
        restored.WaitForAssertion(() => Assert.Equal([ok.InferenceId], Ids(restored)), Wait);
    }

    [Fact]
    public async Task Lookup_opens_the_request_page_and_asks_for_an_id_when_empty()
    {
        await SignInNewUserAsync();
        var navigation = Services.GetRequiredService<NavigationManager>();
        var page = Render<InferencesPage>();

        page.Find("[data-testid=lookup-find]").Click();
        page.WaitForAssertion(() => Assert.Contains("Paste an id from an Inference-Id header.", page.Markup, StringComparison.Ordinal), Wait);
        Assert.DoesNotContain("/inferences/", navigation.Uri, StringComparison.Ordinal);

        page.Find("input[data-testid=lookup-id]").Input("  inf-abc123  ");
        page.Find("[data-testid=lookup-find]").Click();
        page.WaitForAssertion(() => Assert.EndsWith("/inferences/inf-abc123", navigation.Uri, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task The_retention_form_validates_beside_the_field_and_saves_on_and_off()
    {
        var user = await SignInNewUserAsync();
        var settings = HostService<InferenceRetentionSettings>();
        var page = Render<InferencesPage>();
        page.WaitForAssertion(() => Assert.Equal("Off", page.Find("[data-testid=retention-state]").TextContent.Trim()), Wait);

        await page.InvokeAsync(() => page.FindComponent<MudSwitch<bool>>().Instance.ValueChanged.InvokeAsync(true));
        page.Find("input[data-testid=retention-days]").Change("0");
        page.Find("[data-testid=retention-save]").Click();
        page.WaitForAssertion(() => Assert.Contains(RetentionCard.DaysMessage, page.Find("[data-testid=retention-card]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Null(await settings.GetDaysAsync(user.Id, CancellationToken.None));

        page.Find("input[data-testid=retention-days]").Change("3");
        page.Find("[data-testid=retention-save]").Click();
        page.WaitForAssertion(() => Assert.Equal("On · 3 days", page.Find("[data-testid=retention-state]").TextContent.Trim()), Wait);
        Assert.Equal(3, await settings.GetDaysAsync(user.Id, CancellationToken.None));
        Assert.DoesNotContain(RetentionCard.DaysMessage, page.Find("[data-testid=retention-card]").TextContent, StringComparison.Ordinal);

        await page.InvokeAsync(() => page.FindComponent<MudSwitch<bool>>().Instance.ValueChanged.InvokeAsync(false));
        page.Find("[data-testid=retention-save]").Click();
        page.WaitForAssertion(() => Assert.Equal("Off", page.Find("[data-testid=retention-state]").TextContent.Trim()), Wait);
        Assert.Null(await settings.GetDaysAsync(user.Id, CancellationToken.None));
    }

    [Fact]
    public async Task The_detail_page_shows_the_request_to_its_owner_only()
    {
        var user = await SignInNewUserAsync(credits: 5m);
        var key = await UsageData.CreateKeyAsync(Host, user.Id, "detail-key");
        var request = await UsageData.CompleteAsync(Host, key.Secret);

        var page = Render<InferenceDetailPage>(p => p.Add(x => x.InferenceId, request.InferenceId));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=inference-detail]")), Wait);
        var detail = page.Find("[data-testid=inference-detail]").TextContent;
        Assert.Contains("detail-key", detail, StringComparison.Ordinal);
        Assert.Contains(UsageData.Model, detail, StringComparison.Ordinal);
        Assert.Contains("\"max_tokens\":4", page.Find("[data-testid=inference-parameters]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=payload-absent]"));
        Assert.Equal(request.InferenceId, page.Find("[data-testid=inference-id]").TextContent.Trim());

        var stranger = await Host.CreateUserAsync();
        SignIn(stranger);
        var theirs = Render<InferenceDetailPage>(p => p.Add(x => x.InferenceId, request.InferenceId));
        theirs.WaitForAssertion(() => Assert.NotNull(theirs.Find("[data-testid=inference-not-found]")), Wait);
        Assert.DoesNotContain("detail-key", theirs.Markup, StringComparison.Ordinal);
    }

    private static List<string> Ids(IRenderedComponent<InferencesPage> page) =>
        [.. page.FindAll("[data-testid=inferences-table] a[data-inference-id]").Select(a => a.GetAttribute("data-inference-id")!)];
}
