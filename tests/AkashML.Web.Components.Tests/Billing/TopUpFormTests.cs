using AkashML.Web.Components.Pages.Billing;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;
using MudBlazor;

namespace AkashML.Web.Components.Tests.Billing;

/// <summary>
/// The top-up amount: outside the configured limits, not a number or part of a cent is refused beside the field and
/// never reaches the checkout; a valid amount does.
/// </summary>
public sealed class TopUpFormTests(DashboardHost host) : DashboardTest(host)
{
    [Theory]
    [InlineData("4.99", "The amount must be between $5.00 and $500.00.")]
    [InlineData("500.01", "The amount must be between $5.00 and $500.00.")]
    [InlineData("abc", "'abc' is not an amount in USD")]
    [InlineData("-10", "'-10' is not an amount in USD")]
    [InlineData("10.005", "The amount must be in whole cents.")]
    [InlineData("", "Enter an amount in USD")]
    public async Task Bad_amounts_are_refused_beside_the_field(string amount, string message)
    {
        await SignInNewUserAsync();
        var submitted = new List<decimal>();
        var form = Render<TopUpForm>(p => p
            .Add(f => f.MinimumUsd, 5m)
            .Add(f => f.MaximumUsd, 500m)
            .Add(f => f.OnTopUp, usd => submitted.Add(usd)));

        form.Find("input#top-up-amount").Input(amount);
        form.Find("button[data-testid=top-up]").Click();

        form.WaitForAssertion(() => Assert.Contains(message, form.Find(".mud-input-error").TextContent, StringComparison.Ordinal));
        Assert.Equal("true", form.Find("input#top-up-amount").GetAttribute("aria-invalid"));
        Assert.Empty(submitted);
    }

    [Fact]
    public async Task A_valid_amount_or_a_suggested_one_goes_to_checkout()
    {
        await SignInNewUserAsync();
        var submitted = new List<decimal>();
        var form = Render<TopUpForm>(p => p
            .Add(f => f.MinimumUsd, 5m)
            .Add(f => f.MaximumUsd, 500m)
            .Add(f => f.OnTopUp, usd => submitted.Add(usd)));

        form.Find("input#top-up-amount").Input("$25.50");
        form.Find("button[data-testid=top-up]").Click();
        form.WaitForAssertion(() => Assert.Equal([25.50m], submitted));

        form.Find("button[data-testid=preset-100]").Click();
        form.Find("button[data-testid=top-up]").Click();
        form.WaitForAssertion(() => Assert.Equal([25.50m, 100m], submitted));

        // Enter in the field continues too.
        form.Find("input#top-up-amount").Input("40");
        form.Find("input#top-up-amount").KeyDown(Key.Enter);
        form.WaitForAssertion(() => Assert.Equal([25.50m, 100m, 40m], submitted));
        Assert.Empty(form.FindAll(".mud-input-error"));
    }

    [Fact]
    public async Task Suggested_amounts_stay_within_the_limits_and_a_checkout_error_shows_under_the_form()
    {
        await SignInNewUserAsync();

        var form = Render<TopUpForm>(p => p
            .Add(f => f.MinimumUsd, 20m)
            .Add(f => f.MaximumUsd, 60m)
            .Add(f => f.Error, "Stripe could not be reached."));

        Assert.Equal(["preset-25", "preset-50"], form.FindAll("[data-testid^=preset-]").Select(b => b.GetAttribute("data-testid")).ToList());
        Assert.Equal("Stripe could not be reached.", form.Find("[data-testid=top-up-error]").TextContent.Trim());
        Assert.Equal("25", form.Find("input#top-up-amount").GetAttribute("value"));
    }
}
