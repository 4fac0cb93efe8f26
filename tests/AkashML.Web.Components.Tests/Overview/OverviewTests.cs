using AkashML.Web.Components.Pages;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Components.Tests.Usage;
using AkashML.Web.Shell;
using AkashML.Web.Usage;
using Bunit;

namespace AkashML.Web.Components.Tests.Overview;

public sealed class OverviewTests(DashboardHost host) : DashboardTest(host)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_cards_show_the_real_balance_spend_requests_top_models_and_last_requests()
    {
        var user = await SignInNewUserAsync(credits: 3m);
        var key = await UsageData.CreateKeyAsync(Host, user.Id, "web-app");
        var first = await UsageData.CompleteAsync(Host, key.Secret);
        var second = await UsageData.CompleteAsync(Host, key.Secret);
        var unknown = await UsageData.CompleteAsync(Host, key.Secret, model: "no/such-model");

        var page = Render<Home>();

        page.WaitForAssertion(() => Assert.Equal("3", page.Find("[data-testid=overview-requests-today]").TextContent.Trim()), Wait);
        var week = await HostService<OverviewQueries>().GetAsync(user.Id, CancellationToken.None);
        Assert.True(week.WeekCostMicros > 0);
        Assert.Equal(UsageFormat.Usd(week.WeekCostMicros), page.Find("[data-testid=overview-spend-week]").TextContent.Trim());
        Assert.Equal(UsageFormat.Usd(week.Today.CostMicros), page.Find("[data-testid=overview-spend-today]").TextContent.Trim());
        var balance = await HostService<BalanceReader>().GetUsableMicrosAsync(user.Id, CancellationToken.None);
        Assert.True(balance < 3_000_000);
        Assert.Equal(DisplayFormat.UsdHeadline(balance), page.Find("[data-testid=overview-balance]").TextContent.Trim());
        var models = page.FindAll("[data-testid=top-models] li").Select(li => li.GetAttribute("data-model")).ToList();
        Assert.Equal([UsageData.Model, ""], models);
        Assert.Contains(UsageFormat.UnknownModel, page.Find("[data-testid=top-models]").TextContent, StringComparison.Ordinal);
        var recent = page.FindAll("[data-testid=overview-recent] tr[data-inference-id]").Select(r => r.GetAttribute("data-inference-id")).ToList();
        Assert.Equal([unknown.InferenceId, second.InferenceId, first.InferenceId], recent);
        Assert.Contains("web-app", page.Find("[data-testid=overview-recent]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-testid=overview-chart] svg"));
        Assert.Single(page.FindAll("h1"));
    }

    [Fact]
    public async Task The_checklist_follows_the_account_and_updates_live()
    {
        var user = await SignInNewUserAsync();
        var page = Render<Home>();

        page.WaitForAssertion(() => Assert.Equal("1 of 4 done", page.Find("[data-testid=onboarding-progress]").TextContent.Trim()), Wait);
        Assert.Equal("true", Done(page, "email"));
        Assert.Equal("false", Done(page, "payment"));
        Assert.Equal("false", Done(page, "key"));
        Assert.Equal("false", Done(page, "chat"));
        Assert.Contains("ask your administrator", page.Find("[data-step=payment]").TextContent, StringComparison.Ordinal);
        Assert.Equal("keys", page.Find("[data-testid=step-key-action]").GetAttribute("href"));
        Assert.Equal("$0.00", page.Find("[data-testid=overview-balance]").TextContent.Trim());
        Assert.NotNull(page.Find("[data-testid=overview-recent-empty]"));

        // Credits arrive (an administrator's grant): the card and the checklist change without a reload.
        await Host.GrantAsync(user, 2m);
        HostService<AccountChanges>().Publish(user.Id);
        page.WaitForAssertion(() => Assert.Equal("true", Done(page, "payment")), Wait);
        Assert.Equal("$2.00", page.Find("[data-testid=overview-balance]").TextContent.Trim());

        var key = await UsageData.CreateKeyAsync(Host, user.Id, "first-key");
        HostService<AccountChanges>().Publish(user.Id);
        page.WaitForAssertion(() => Assert.Equal("3 of 4 done", page.Find("[data-testid=onboarding-progress]").TextContent.Trim()), Wait);

        // The first request completes the list, which then steps aside.
        var request = await UsageData.CompleteAsync(Host, key.Secret);
        HostService<AccountChanges>().Publish(user.Id);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=onboarding]")), Wait);
        Assert.Equal(request.InferenceId, page.Find("[data-testid=overview-recent] tr[data-inference-id]").GetAttribute("data-inference-id"));
        Assert.Equal("1", page.Find("[data-testid=overview-requests-today]").TextContent.Trim());
    }

    private static string? Done(IRenderedComponent<Home> page, string step) => page.Find($"[data-step={step}]").GetAttribute("data-done");
}
