using AkashML.Web.Components.Pages.Billing;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;
using MudBlazor;

namespace AkashML.Web.Components.Tests.Billing;

/// <summary>Auto top-up: bad amounts are refused beside their field when turning it on; the service's refusal shows under the form.</summary>
public sealed class AutoTopUpFormTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public async Task Turning_it_on_checks_the_fields_then_the_billing_service_has_the_last_word()
    {
        var user = await SignInNewUserAsync();
        Render<MudPopoverProvider>();
        var form = Render<AutoTopUpForm>(p => p.Add(f => f.UserId, user.Id));
        Assert.Equal("Off", form.Find("[data-testid=auto-top-up-state]").TextContent.Trim());
        Assert.Contains("verify a payment method or make a top-up first", form.Markup, StringComparison.Ordinal);

        form.Find("input[type=checkbox]").Change(true);
        form.Find("input#auto-threshold").Input("lots");
        form.Find("input#auto-amount").Input("1");
        form.Find("button[data-testid=save-auto-top-up]").Click();

        form.WaitForAssertion(() => Assert.Contains(form.FindAll(".mud-input-error"), e => e.TextContent.Contains("'lots' is not an amount in USD", StringComparison.Ordinal)));
        Assert.Contains(form.FindAll(".mud-input-error"), e => e.TextContent.Contains("The amount must be between $5.00 and $500.00.", StringComparison.Ordinal));
        Assert.Empty(form.FindAll("[data-testid=auto-top-up-error]"));

        // Valid fields reach the billing service, which refuses without payments (no Stripe on this host).
        form.Find("input#auto-threshold").Input("5");
        form.Find("input#auto-amount").Input("10");
        form.Find("button[data-testid=save-auto-top-up]").Click();

        form.WaitForAssertion(() => Assert.Equal("Payments are not configured on this installation.", form.Find("[data-testid=auto-top-up-error]").TextContent.Trim()));
    }
}
