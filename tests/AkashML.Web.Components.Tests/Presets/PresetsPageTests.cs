using System.Text.Json.Nodes;
using AkashML.Data;
using AkashML.Data.Presets;
using AkashML.Inference.Catalog;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Components.Tests.Keys;
using AkashML.Web.Presets;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using MudBlazor.Extensions;
using PresetsPage = AkashML.Web.Components.Pages.Presets.Presets;

namespace AkashML.Web.Components.Tests.Presets;

/// <summary>The presets page and its dialogs against the real <see cref="PresetService"/>.</summary>
public sealed class PresetsPageTests(DashboardHost host) : DashboardTest(host)
{
    private const string Model = ModelCatalog.TinyRandomId;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_preset_is_created_listed_edited_duplicated_and_deleted()
    {
        var user = await SignInNewUserAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=no-presets]")), Wait);

        cut.Find("[data-testid=new-preset]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=preset-form]")), Wait);
        Assert.Equal(Model, cut.FindComponent<MudSelect<string>>().Instance.GetState(x => x.Value));
        cut.Find("[data-testid=preset-name]").Input("terse");
        cut.Find("[data-testid=preset-system]").Input("Answer in one line.");
        cut.Find("[data-testid=preset-temperature]").Input("0.7");
        cut.Find("[data-testid=preset-max_tokens]").Input("12");
        cut.Find("[data-testid=preset-stop]").Input("END\n\\n\\n");
        cut.Find("[data-testid=save-preset]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Preset 'terse' saved.", cut.Markup, StringComparison.Ordinal), Wait);
        cut.WaitForAssertion(() => Assert.Contains("@preset/terse", cut.Find("[data-testid=preset-table]").TextContent, StringComparison.Ordinal), Wait);
        var preset = Assert.Single(await PresetsOfAsync(user.Id));
        Assert.Equal(Model, preset.ModelId);
        Assert.Equal("Answer in one line.", preset.SystemPrompt);
        var parameters = JsonNode.Parse(preset.ParametersJson)!;
        Assert.Equal(0.7, parameters["temperature"]!.GetValue<double>());
        Assert.Equal(12, parameters["max_tokens"]!.GetValue<int>());
        Assert.Equal(["END", "\n\n"], parameters["stop"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains(cut.FindAll("[data-testid=preset-param]"), chip => chip.TextContent.Contains("temperature 0.7", StringComparison.Ordinal));

        // Edit: the form comes back filled in; changing a value saves it.
        cut.Find("[data-testid=edit-preset]").Click();
        cut.WaitForAssertion(() => Assert.Equal("terse", cut.Find("[data-testid=preset-name]").GetAttribute("value")), Wait);
        Assert.Equal("0.7", cut.Find("[data-testid=preset-temperature]").GetAttribute("value"));
        cut.Find("[data-testid=preset-temperature]").Input("1.2");
        cut.Find("[data-testid=preset-system]").Input("Be brief.");
        cut.Find("[data-testid=preset-stop]").Input("END");
        cut.Find("[data-testid=save-preset]").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=preset-editor]")), Wait);
        var edited = Assert.Single(await PresetsOfAsync(user.Id));
        Assert.Equal(1.2, JsonNode.Parse(edited.ParametersJson)!["temperature"]!.GetValue<double>());
        Assert.Equal("Be brief.", edited.SystemPrompt);
        Assert.Equal(["END"], JsonNode.Parse(edited.ParametersJson)!["stop"]!.AsArray().Select(s => s!.GetValue<string>()));

        // Duplicate: a filled-in new form under a free name.
        cut.Find("[data-testid=duplicate-preset]").Click();
        cut.WaitForAssertion(() => Assert.Equal("terse-copy", cut.Find("[data-testid=preset-name]").GetAttribute("value")), Wait);
        cut.Find("[data-testid=save-preset]").Click();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=edit-preset]").Count), Wait);
        var both = await PresetsOfAsync(user.Id);
        Assert.Equal(["terse", "terse-copy"], both.Select(p => p.Name));
        Assert.Equal(both[0].ParametersJson, both[1].ParametersJson);

        // Delete asks first, then removes only that preset.
        cut.FindAll("[data-testid=delete-preset]")[0].Click();
        cut.WaitForAssertion(() => Assert.Contains("Delete terse?", cut.Find("[data-testid=preset-delete-dialog]").TextContent, StringComparison.Ordinal), Wait);
        cut.Find("[data-testid=confirm-delete]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Preset 'terse' deleted.", cut.Markup, StringComparison.Ordinal), Wait);
        Assert.Equal(["terse-copy"], (await PresetsOfAsync(user.Id)).Select(p => p.Name));
    }

    [Fact]
    public async Task Bad_input_is_named_beside_each_field_and_nothing_is_saved()
    {
        var user = await SignInNewUserAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=no-presets]")), Wait);
        cut.Find("[data-testid=new-preset]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=preset-form]")), Wait);

        // The name's length is enforced in the form: the field caps it and names the limit.
        Assert.Equal(Preset.MaxNameLength.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find("[data-testid=preset-name]").GetAttribute("maxlength"));
        cut.Find("[data-testid=preset-name]").Input(new string('n', Preset.MaxNameLength + 1));
        cut.WaitForAssertion(() => Assert.Contains($"The name must be at most {Preset.MaxNameLength} characters.", FieldText(cut, "preset-name"), StringComparison.Ordinal), Wait);
        cut.Find("[data-testid=preset-temperature]").Input("warm");
        cut.WaitForAssertion(() => Assert.Contains("'warm' is not a number.", FieldText(cut, "preset-temperature"), StringComparison.Ordinal), Wait);
        cut.Find("[data-testid=save-preset]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Nothing was saved", cut.Find("[data-testid=preset-problems]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("warm", cut.Find("[data-testid=preset-temperature]").GetAttribute("value"));
        Assert.Empty(await PresetsOfAsync(user.Id));

        cut.Find("[data-testid=preset-name]").Input("has spaces");
        cut.Find("[data-testid=preset-temperature]").Input("5");
        cut.Find("[data-testid=preset-top_k]").Input("2.5");
        cut.Find("[data-testid=save-preset]").Click();
        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Use letters, digits", FieldText(cut, "preset-name"), StringComparison.Ordinal);
            Assert.Contains("Temperature must be between 0 and 2.", FieldText(cut, "preset-temperature"), StringComparison.Ordinal);
            Assert.Contains("Top K must be a whole number.", FieldText(cut, "preset-top_k"), StringComparison.Ordinal);
        }, Wait);
        Assert.Empty(await PresetsOfAsync(user.Id));

        await HostService<PresetService>().CreateAsync(user.Id, new PresetDraft("taken", Model, null, []), CancellationToken.None);
        cut.Find("[data-testid=preset-name]").Input("TAKEN");
        cut.Find("[data-testid=preset-temperature]").Input("");
        cut.Find("[data-testid=preset-top_k]").Input("");
        cut.Find("[data-testid=save-preset]").Click();
        cut.WaitForAssertion(() => Assert.True(FieldText(cut, "preset-name").Contains("You already have a preset named 'TAKEN'.", StringComparison.Ordinal), cut.Find("[data-testid=preset-editor]").TextContent), Wait);
        Assert.Single(await PresetsOfAsync(user.Id));
    }

    [Fact]
    public async Task Rows_show_what_each_preset_sets_and_flag_a_missing_model()
    {
        var user = await SignInNewUserAsync();
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
            db.Presets.Add(new Preset
            {
                UserId = user.Id, Name = "support-bot", ModelId = Model, SystemPrompt = "You answer <b>support</b> questions.",
                ParametersJson = """{"temperature":0.3,"stop":["END"]}""",
            });
            db.Presets.Add(new Preset { UserId = user.Id, Name = "old", ModelId = "gone/model" });
            await db.SaveChangesAsync();
        }

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=preset-table]")), Wait);
        var text = cut.Find("[data-testid=preset-table]").TextContent;
        Assert.Contains("@preset/support-bot", text, StringComparison.Ordinal);
        Assert.Contains("temperature 0.3", text, StringComparison.Ordinal);
        Assert.Contains("stop \"END\"", text, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;support&lt;/b&gt;", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("Model defaults", text, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("[data-testid=model-missing]"));
        Assert.NotNull(cut.Find("a[href='playground?preset=support-bot']"));
        Assert.NotNull(cut.Find("[aria-label='Delete old']"));
    }

    [Fact]
    public async Task The_new_route_opens_the_dialog_with_the_model_from_the_link()
    {
        await SignInNewUserAsync();
        Services.GetRequiredService<NavigationManager>().NavigateTo("presets/new?model=" + Uri.EscapeDataString(Model));

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=preset-form]")), Wait);
        Assert.Equal(Model, cut.FindComponent<MudSelect<string>>().Instance.GetState(x => x.Value));
    }

    [Fact]
    public async Task Another_persons_preset_cannot_be_seen_or_edited()
    {
        var owner = await Host.CreateUserAsync();
        var saved = await HostService<PresetService>().CreateAsync(owner.Id, new PresetDraft("mine", Model, null, []), CancellationToken.None);
        await SignInNewUserAsync();

        var cut = RenderPage(p => p.Add(x => x.Id, saved.Preset!.Id));

        cut.WaitForAssertion(() => Assert.Contains("does not exist, or it is not yours", cut.Find("[data-testid=preset-not-found]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Empty(cut.FindAll("[data-testid=save-preset]"));
        Assert.DoesNotContain("@preset/mine", cut.Markup, StringComparison.Ordinal);
        Assert.Single(await PresetsOfAsync(owner.Id));
    }

    private IRenderedComponent<WithProviders> RenderPage(Action<ComponentParameterCollectionBuilder<PresetsPage>>? parameters = null) =>
        Render<WithProviders>(p => p.AddChildContent<PresetsPage>(parameters ?? (_ => { })));

    /// <summary>The text of a field and its helper line (where its message shows).</summary>
    private static string FieldText(IRenderedComponent<WithProviders> cut, string testId) =>
        cut.Find($"[data-testid={testId}]").Closest(".mud-input-control")!.TextContent;

    private async Task<List<Preset>> PresetsOfAsync(string userId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AkashDbContext>().Presets.AsNoTracking()
            .Where(p => p.UserId == userId).OrderBy(p => p.Name).ToListAsync();
    }
}
