using AkashML.Web.Components.Pages.Admin;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;
using MudBlazor;

namespace AkashML.Web.Components.Tests.Admin;

/// <summary>The admin's models page (state, load now) and the inference lookup.</summary>
public sealed class AdminLookupPagesTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public async Task The_models_page_lists_the_catalog_and_loads_a_model_on_request()
    {
        await SignInNewUserAsync(administrator: true);
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();

        var page = Render<AdminModels>();

        var row = page.WaitForElement("[data-model-id='akashml/tiny-random']");
        if (row.GetAttribute("data-model-status") == "idle")
        {
            page.Find("button[aria-label^='Load']").Click();
        }

        page.WaitForAssertion(() => Assert.Equal("loaded", page.Find("[data-model-id='akashml/tiny-random']").GetAttribute("data-model-status")), TimeSpan.FromSeconds(60));
        Assert.NotEqual("0", page.Find("[data-testid=loaded-count]").TextContent.Trim());
    }

    [Fact]
    public async Task An_unknown_inference_id_says_so()
    {
        await SignInNewUserAsync(administrator: true);
        Render<MudPopoverProvider>();

        var page = Render<AdminInference>(p => p.Add(c => c.InferenceId, "inf_does_not_exist"));

        page.WaitForAssertion(() => Assert.Contains("No request has the id", page.Find("[data-testid=inference-missing]").TextContent, StringComparison.Ordinal));
    }
}
