using AkashML.Data;
using AkashML.Data.Presets;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Components.Tests.Keys;
using AkashML.Web.Components.Tests.Playground;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PresetsPage = AkashML.Web.Components.Pages.Presets.Presets;

namespace AkashML.Web.Components.Tests.Shell;

/// <summary>
/// Dialogs save outside the page's error box, so a save the database refuses must be handled in the dialog: on a full
/// SQLite file (the host's own cap, really reached) the dialog says so in the shared words and stays open, the circuit
/// goes on, and the same save works once space returns.
/// </summary>
public sealed class DatabaseFullDialogTests(SmallDiskDashboardHost host) : DashboardTest(host), IClassFixture<SmallDiskDashboardHost>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_preset_saved_on_a_full_database_says_so_keeps_the_dialog_open_and_saves_once_space_returns()
    {
        var user = await SignInNewUserAsync();
        var cut = Render<WithProviders>(p => p.AddChildContent<PresetsPage>());
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=no-presets]")), Wait);

        // A system prompt longer than a page needs new (overflow) pages, which a full file cannot give.
        var prompt = new string('x', 20_000);
        await using var disk = await FilledDisk.FillAsync(Host.DatabaseFile, SmallDiskDashboardHost.MaxPages);
        cut.Find("[data-testid=new-preset]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=preset-form]")), Wait);
        cut.Find("[data-testid=preset-name]").Input("long-prompt");
        cut.Find("[data-testid=preset-system]").Input(prompt);
        cut.Find("[data-testid=save-preset]").Click();

        cut.WaitForAssertion(() => Assert.Contains("The database is full (disk full): nothing was saved.",
            cut.Find("[data-testid=database-trouble]").TextContent, StringComparison.Ordinal), Wait);
        Assert.NotEmpty(cut.FindAll("[data-testid=preset-form]"));
        Assert.Empty(await PresetsOfAsync(user.Id));

        // Space returns: the same dialog, the same click.
        await disk.FreeAsync();
        cut.Find("[data-testid=save-preset]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Preset 'long-prompt' saved.", cut.Markup, StringComparison.Ordinal), Wait);
        Assert.Empty(cut.FindAll("[data-testid=database-trouble]"));
        Assert.Equal(prompt, Assert.Single(await PresetsOfAsync(user.Id)).SystemPrompt);
    }

    [Fact]
    public async Task The_playground_save_as_preset_dialog_on_a_full_database_says_so_and_saves_the_same_preset_once_space_returns()
    {
        var user = await SignInNewUserAsync(credits: 5m);
        var page = Render<PlaygroundHarness>();
        page.WaitForElement("[data-testid=playground][data-ready=true]");
        var prompt = new string('y', 20_000);
        page.Find("textarea[data-testid=system-prompt]").Change(prompt);

        await using var disk = await FilledDisk.FillAsync(Host.DatabaseFile, SmallDiskDashboardHost.MaxPages);
        page.Find("button[data-testid=open-save-preset]").Click();
        page.WaitForElement("input[data-testid=preset-name]").Input("robot");
        page.Find("button[data-testid=save-preset]").Click();
        page.WaitForAssertion(() => Assert.Contains("The database is full (disk full): nothing was saved.",
            page.Find("[data-testid=save-preset-dialog] [data-testid=database-trouble]").TextContent, StringComparison.Ordinal), Wait);
        Assert.DoesNotContain("already have a preset", page.Find("[data-testid=save-preset-dialog]").TextContent, StringComparison.Ordinal);

        // The dialog's service lives as long as the circuit: the refused save must not linger in it and be saved twice.
        await disk.FreeAsync();
        page.Find("button[data-testid=save-preset]").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=save-preset-dialog]")), Wait);
        var saved = Assert.Single(await PresetsOfAsync(user.Id));
        Assert.Equal(("robot", prompt), (saved.Name, saved.SystemPrompt));
    }

    private async Task<List<Preset>> PresetsOfAsync(string userId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AkashDbContext>().Presets.AsNoTracking().Where(p => p.UserId == userId).ToListAsync();
    }
}
