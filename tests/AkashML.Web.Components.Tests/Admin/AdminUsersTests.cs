using AkashML.Web.Components.Pages.Admin;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;
using MudBlazor;

namespace AkashML.Web.Components.Tests.Admin;

/// <summary>The administrators' users grid: searched, sorted and paged on the server, balances and roles shown.</summary>
public sealed class AdminUsersTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public async Task Searches_pages_and_sorts_the_users()
    {
        await SignInNewUserAsync(administrator: true);
        var token = Guid.NewGuid().ToString("N")[..10];
        var users = new List<TestUser>();
        for (var i = 0; i < 26; i++)
        {
            users.Add(await Host.CreateUserAsync(email: $"{token}-{i:D2}@example.com"));
        }

        await Host.GrantAsync(users[3], 7.5m);
        Render<MudPopoverProvider>();
        var page = Render<AdminUsers>();

        page.Find("input#user-search").Input(token);

        page.WaitForAssertion(() => Assert.Equal("26 users", page.Find("[data-testid=user-count]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.Equal(25, page.FindAll("[data-user-email]").Count));
        // Newest first: the last one created leads.
        Assert.Equal($"{token}-25@example.com", page.FindAll("[data-user-email]")[0].GetAttribute("data-user-email"));
        Assert.All(page.FindAll("[data-user-email]"), row => Assert.StartsWith(token, row.GetAttribute("data-user-email"), StringComparison.Ordinal));

        page.Find("button[aria-label='Next page']").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-user-email]")));
        Assert.Equal($"{token}-00@example.com", page.Find("[data-user-email]").GetAttribute("data-user-email"));

        page.Find("input#user-search").Input($"{token}-03");
        page.WaitForAssertion(() => Assert.Equal("1 user", page.Find("[data-testid=user-count]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Equal("$7.50", page.Find("[data-testid=user-balance]").TextContent.Trim());
        Assert.Equal($"admin/users/{users[3].Id}", page.Find($"a[aria-label='Grant credits to {token}-03@example.com']").GetAttribute("href"));
    }

    [Fact]
    public async Task Sorting_by_email_orders_the_whole_result_not_the_page()
    {
        await SignInNewUserAsync(administrator: true);
        var token = Guid.NewGuid().ToString("N")[..10];
        foreach (var name in new[] { "carol", "alice", "bob" })
        {
            await Host.CreateUserAsync(email: $"{token}-{name}@example.com");
        }

        Render<MudPopoverProvider>();
        var page = Render<AdminUsers>();
        page.Find("input#user-search").Input(token);
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-user-email]").Count), TimeSpan.FromSeconds(10));

        page.FindAll("th").Single(th => th.TextContent.Contains("Email", StringComparison.Ordinal)).QuerySelectorAll("*").First(e => e.HasAttribute("blazor:onclick")).Click();

        page.WaitForAssertion(() => Assert.Equal(
            [$"{token}-alice@example.com", $"{token}-bob@example.com", $"{token}-carol@example.com"],
            page.FindAll("[data-user-email]").Select(r => r.GetAttribute("data-user-email")).ToList()));
    }
}
