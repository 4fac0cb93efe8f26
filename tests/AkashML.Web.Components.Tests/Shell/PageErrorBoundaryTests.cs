using AkashML.Web.Components.Layout;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace AkashML.Web.Components.Tests.Shell;

public sealed class PageErrorBoundaryTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public void A_failing_component_shows_a_message_and_retry_brings_it_back()
    {
        var fails = true;
        var boundary = Render<PageErrorBoundary>(p => p.AddChildContent(builder =>
        {
            builder.OpenComponent<Flaky>(0);
            builder.AddComponentParameter(1, nameof(Flaky.Fails), fails);
            builder.CloseComponent();
        }));

        Assert.NotNull(boundary.Find("[data-testid=error-boundary]"));
        Assert.DoesNotContain("flaky content", boundary.Markup, StringComparison.Ordinal);

        fails = false;
        boundary.Render(p => p.AddChildContent(builder =>
        {
            builder.OpenComponent<Flaky>(0);
            builder.AddComponentParameter(1, nameof(Flaky.Fails), fails);
            builder.CloseComponent();
        }));
        boundary.Find("[data-testid=error-retry]").Click();

        boundary.WaitForAssertion(() => Assert.Contains("flaky content", boundary.Markup, StringComparison.Ordinal));
        Assert.Empty(boundary.FindAll("[data-testid=error-boundary]"));
    }

    private sealed class Flaky : ComponentBase
    {
        [Parameter]
        public bool Fails { get; set; }

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            if (Fails)
            {
                throw new InvalidOperationException("this component fails");
            }

            builder.AddContent(0, "flaky content");
        }
    }
}
