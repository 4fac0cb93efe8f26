using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Data.Identity;
using AkashML.Web.Components.Pages.Admin;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Shell;
using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MudBlazor;

namespace AkashML.Web.Components.Tests.Admin;

/// <summary>
/// The admin's user page: the grant form refuses bad input beside each field and grants nothing; a grant raises the
/// user's balance, records who granted and tells the user's open dashboards. Locking refuses sign-in.
/// </summary>
public sealed class GrantFormTests(DashboardHost host) : DashboardTest(host)
{
    [Theory]
    [InlineData("abc", "", "why", "'abc' is not an amount in USD")]
    [InlineData("0", "", "why", "The amount must be more than $0")]
    [InlineData("-3", "", "why", "'-3' is not an amount in USD")]
    [InlineData("1.0000001", "", "why", "At most six decimals")]
    [InlineData("200000", "", "why", "at most $100,000")]
    [InlineData("5", "2001-01-01", "why", "The expiry must be today or later.")]
    [InlineData("5", "next week", "why", "Use a date like 2027-01-31.")]
    [InlineData("5", "", "   ", "Say why")]
    public async Task Bad_input_is_refused_beside_its_field_and_grants_nothing(string amount, string expires, string reason, string message)
    {
        await SignInNewUserAsync(administrator: true);
        var user = await Host.CreateUserAsync();
        Render<MudPopoverProvider>();
        var page = Render<AdminUser>(p => p.Add(c => c.UserId, user.Id));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=grant-form]")));

        page.Find("input#grant-amount").Input(amount);
        page.Find("input#grant-expires").Input(expires);
        page.Find("input#grant-reason").Input(reason);
        page.Find("button[data-testid=grant]").Click();

        page.WaitForAssertion(() => Assert.Contains(page.FindAll(".mud-input-error"), e => e.TextContent.Contains(message, StringComparison.Ordinal)));
        Assert.Equal(0, await HostService<AkashDbContext>().CreditPools.CountAsync(p => p.UserId == user.Id));
    }

    [Fact]
    public async Task A_grant_raises_the_balance_records_who_granted_and_tells_the_users_dashboards()
    {
        var admin = await SignInNewUserAsync(administrator: true);
        var user = await Host.CreateUserAsync();
        var published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = HostService<AccountChanges>().Subscribe(user.Id, () => { published.TrySetResult(); return Task.CompletedTask; });
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        var page = Render<AdminUser>(p => p.Add(c => c.UserId, user.Id));
        page.WaitForAssertion(() => Assert.Equal("$0.00", page.Find("[data-testid=admin-user-balance]").TextContent.Trim()));
        var expiry = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        page.Find("input#grant-amount").Input("7.5");
        page.Find("input#grant-expires").Input(expiry);
        page.Find("input#grant-reason").Input("sorry for the outage");
        page.Find("button[data-testid=grant]").Click();

        await published.Task.WaitAsync(TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.Equal("$7.50", page.Find("[data-testid=admin-user-balance]").TextContent.Trim()));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-pool-source=AdminGrant]")));
        var pool = await HostService<AkashDbContext>().CreditPools.AsNoTracking().SingleAsync(p => p.UserId == user.Id);
        Assert.Equal((CreditSource.AdminGrant, 7_500_000L, "sorry for the outage", $"granted by {admin.Email}"), (pool.Source, pool.AmountMicros, pool.Reason, pool.Reference));
        Assert.Equal(DateOnly.ParseExact(expiry, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture).AddDays(1), DateOnly.FromDateTime(pool.ExpiresAt!.Value.UtcDateTime));
        // The form is ready for the next grant.
        Assert.Equal("", page.Find("input#grant-amount").GetAttribute("value") ?? "");
    }

    [Fact]
    public async Task An_unknown_user_says_so()
    {
        await SignInNewUserAsync(administrator: true);
        Render<MudPopoverProvider>();

        var page = Render<AdminUser>(p => p.Add(c => c.UserId, "no-such-user"));

        page.WaitForAssertion(() => Assert.Contains("No user with this id", page.Find("[data-testid=admin-user-missing]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Locking_refuses_sign_in_and_unlocking_restores_it()
    {
        await SignInNewUserAsync(administrator: true);
        var user = await Host.CreateUserAsync();
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<AdminUser>(p => p.Add(c => c.UserId, user.Id));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button[data-testid=lock-user]")));

        page.Find("button[data-testid=lock-user]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Lock this account?", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Contains("Lock account", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=user-locked]")));
        Assert.True(await IsLockedOutAsync(user.Id));

        page.Find("button[data-testid=unlock-user]").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=user-locked]")));
        Assert.False(await IsLockedOutAsync(user.Id));
    }

    [Fact]
    public async Task Administrators_cannot_lock_themselves_out()
    {
        var admin = await SignInNewUserAsync(administrator: true);
        Render<MudPopoverProvider>();

        var page = Render<AdminUser>(p => p.Add(c => c.UserId, admin.Id));

        page.WaitForAssertion(() => Assert.True(page.Find("button[data-testid=lock-user]").HasAttribute("disabled")));
    }

    private async Task<bool> IsLockedOutAsync(string userId)
    {
        await using var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateAsyncScope(Host.Services);
        var users = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<UserManager<ApplicationUser>>(scope.ServiceProvider);
        return await users.IsLockedOutAsync((await users.FindByIdAsync(userId))!);
    }
}
