using AkashML.Web.Usage;
using AkashML.Web.Components.Pages.Overview;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Shell;
using Bunit;

namespace AkashML.Web.Components.Tests.Overview;

public sealed class OnboardingChecklistTests(DashboardHost host) : DashboardTest(host)
{
    [Theory]
    // confirmed, payments, verified, credited, key, requested → done, open steps
    [InlineData(false, true, false, false, false, false, 0, "email,payment,key,chat")]
    [InlineData(true, true, false, false, false, false, 1, "payment,key,chat")]
    [InlineData(true, true, true, false, false, false, 2, "key,chat")]
    [InlineData(true, false, false, true, true, false, 3, "chat")]
    [InlineData(true, false, false, false, true, true, 3, "payment")]
    [InlineData(true, false, false, true, true, true, 4, "")]
    public void Each_step_is_checked_off_from_the_state(bool confirmed, bool payments, bool verified, bool credited, bool key, bool requested, int done, string open)
    {
        var state = new OnboardingState(confirmed, payments, verified, 1_000_000, credited, key, requested);

        var card = Render<OnboardingChecklist>(p => p.Add(c => c.State, state));

        Assert.Equal($"{done} of 4 done", card.Find("[data-testid=onboarding-progress]").TextContent.Trim());
        Assert.Equal(done == 4, state.IsComplete);
        var openSteps = open.Split(',', StringSplitOptions.RemoveEmptyEntries);
        foreach (var step in new[] { "email", "payment", "key", "chat" })
        {
            var isOpen = openSteps.Contains(step);
            Assert.Equal(isOpen ? "false" : "true", card.Find($"[data-step={step}]").GetAttribute("data-done"));
            Assert.Contains(isOpen ? "(to do)" : "(done)", card.Find($"[data-step={step}]").TextContent, StringComparison.Ordinal);
        }

        // With Stripe, the open payment step offers card verification and names the trial; without it, whom to ask.
        Assert.Equal(payments && !verified, card.FindAll("[data-testid=step-payment-action][href=billing]").Count == 1);
        Assert.Equal(payments, card.Markup.Contains("$1.00 of free credits", StringComparison.Ordinal));
        Assert.Equal(!payments && !credited, card.Markup.Contains("ask your administrator", StringComparison.Ordinal));
    }
}
