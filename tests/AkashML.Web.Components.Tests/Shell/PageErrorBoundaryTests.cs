using AkashML.Web.Components.Layout;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
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

    [Fact]
    public void A_write_refused_by_a_full_database_says_so_instead_of_something_went_wrong()
    {
        var boundary = Render<PageErrorBoundary>(p => p.AddChildContent(builder =>
        {
            builder.OpenComponent<Flaky>(0);
            builder.AddComponentParameter(1, nameof(Flaky.Fails), true);
            builder.AddComponentParameter(2, nameof(Flaky.Failure), new DbUpdateException("An error occurred while saving the entity changes.",
                new SqliteException("SQLite Error 13: 'database or disk is full'.", 13)));
            builder.CloseComponent();
        }));

        var alert = boundary.Find("[data-testid=error-boundary]");
        Assert.Contains("The database is full (disk full): nothing was saved.", alert.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Something went wrong", alert.TextContent, StringComparison.Ordinal);
    }

    private sealed class Flaky : ComponentBase
    {
        [Parameter]
        public bool Fails { get; set; }

        [Parameter]
        public Exception? Failure { get; set; }

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            if (Fails)
            {
                throw Failure ?? new InvalidOperationException("this component fails");
            }

            builder.AddContent(0, "flaky content");
        }
    }
}
