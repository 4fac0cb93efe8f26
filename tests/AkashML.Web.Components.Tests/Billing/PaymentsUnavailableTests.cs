using AkashML.Web.Components.Pages.Billing;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;

namespace AkashML.Web.Components.Tests.Billing;

/// <summary>Without Stripe: the configured support address, or the administrator, and for administrators the grant form.</summary>
public sealed class PaymentsUnavailableTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public async Task Names_the_configured_support_address_at_zero()
    {
        var user = await SignInNewUserAsync();

        var help = Render<PaymentsUnavailable>(p => p
            .Add(c => c.UserId, user.Id)
            .Add(c => c.BalanceMicros, 0)
            .Add(c => c.SupportEmail, " help@example.com "));

        Assert.Contains("You have no credits yet.", help.Find("[data-testid=support-contact]").TextContent, StringComparison.Ordinal);
        Assert.Equal("mailto:help@example.com", help.Find("[data-testid=support-email]").GetAttribute("href"));
        Assert.Empty(help.FindAll("[data-testid=admin-grant-link]"));
    }

    [Fact]
    public async Task With_credits_left_it_still_says_whom_to_ask_and_administrators_get_the_grant_form()
    {
        var admin = await SignInNewUserAsync(administrator: true);

        var help = Render<PaymentsUnavailable>(p => p
            .Add(c => c.UserId, admin.Id)
            .Add(c => c.BalanceMicros, 2_000_000)
            .Add(c => c.IsAdministrator, true));

        var contact = help.Find("[data-testid=support-contact]").TextContent;
        Assert.DoesNotContain("no credits yet", contact, StringComparison.Ordinal);
        Assert.Contains("ask the administrator", contact, StringComparison.Ordinal);
        Assert.Equal($"admin/users/{admin.Id}", help.Find("[data-testid=admin-grant-link]").GetAttribute("href"));
    }
}
