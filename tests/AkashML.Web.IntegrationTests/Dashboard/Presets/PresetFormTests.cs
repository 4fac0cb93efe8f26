using System.Net;
using System.Text.Json.Nodes;
using AkashML.Data;
using AkashML.Data.Presets;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Presets;

/// <summary>Presets through the real pages and form posts: create, edit, duplicate, delete, and bad input that saves nothing.</summary>
public sealed class PresetFormTests(PlayHost fixture) : IClassFixture<PlayHost>
{
    [Fact]
    public async Task A_preset_is_created_listed_edited_duplicated_and_deleted()
    {
        var (browser, userId) = await fixture.SignedInAsync(creditMicros: 0);

        var form = await browser.GetAsync("presets/new?model=" + Uri.EscapeDataString(PlayHost.Model));
        Assert.Equal(HttpStatusCode.OK, form.Status);
        // The test browser submits <input> values as rendered; the select and text areas are given explicitly.
        var saved = await browser.SubmitAsync(form, "preset", new Dictionary<string, string>
        {
            ["Input.Name"] = "terse",
            ["Input.ModelId"] = PlayHost.Model,
            ["Input.SystemPrompt"] = "Answer in one line.",
            ["Input.Temperature"] = "0.7",
            ["Input.MaxTokens"] = "12",
            ["Input.Stop"] = "END\n\\n\\n",
        });

        Assert.Equal("/presets", saved.Path);
        Assert.Contains("Preset 'terse' saved.", saved.Text, StringComparison.Ordinal);
        Assert.Contains("@preset/terse", saved.Text, StringComparison.Ordinal);
        var preset = Assert.Single(await PresetsOfAsync(userId));
        Assert.Equal(PlayHost.Model, preset.ModelId);
        Assert.Equal("Answer in one line.", preset.SystemPrompt);
        var parameters = JsonNode.Parse(preset.ParametersJson)!;
        Assert.Equal(0.7, parameters["temperature"]!.GetValue<double>());
        Assert.Equal(12, parameters["max_tokens"]!.GetValue<int>());
        Assert.Equal(["END", "\n\n"], parameters["stop"]!.AsArray().Select(s => s!.GetValue<string>()));

        // Edit: the form comes back filled in; changing a value saves it.
        var edit = await browser.GetAsync($"presets/{preset.Id}/edit");
        Assert.Equal("terse", edit.Form("preset").Fields["Input.Name"]);
        Assert.Equal("0.7", edit.Form("preset").Fields["Input.Temperature"]);
        await browser.SubmitAsync(edit, "preset", new Dictionary<string, string>
        {
            ["Input.ModelId"] = PlayHost.Model,
            ["Input.Temperature"] = "1.2",
            ["Input.SystemPrompt"] = "Be brief.",
            ["Input.Stop"] = "END",
        });
        var edited = Assert.Single(await PresetsOfAsync(userId));
        Assert.Equal(1.2, JsonNode.Parse(edited.ParametersJson)!["temperature"]!.GetValue<double>());
        Assert.Equal("Be brief.", edited.SystemPrompt);
        Assert.Equal(["END"], JsonNode.Parse(edited.ParametersJson)!["stop"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.True(edited.UpdatedAt >= edited.CreatedAt);

        // Duplicate: a filled-in new form under a free name.
        var copy = await browser.GetAsync($"presets/new?from={preset.Id}");
        Assert.Equal("terse-copy", copy.Form("preset").Fields["Input.Name"]);
        await browser.SubmitAsync(copy, "preset", new Dictionary<string, string>
        {
            ["Input.ModelId"] = PlayHost.Model,
            ["Input.SystemPrompt"] = "Be brief.",
            ["Input.Stop"] = "END",
        });
        var both = await PresetsOfAsync(userId);
        Assert.Equal(["terse", "terse-copy"], both.Select(p => p.Name).Order());
        Assert.Equal(both[0].ParametersJson, both[1].ParametersJson);

        // Delete asks first, then removes only that preset.
        var confirm = await browser.GetAsync($"presets/{preset.Id}/delete");
        Assert.Contains("Delete “terse”?", confirm.Text, StringComparison.Ordinal);
        var afterDelete = await browser.SubmitAsync(confirm, "delete");
        Assert.Contains("Preset 'terse' deleted.", afterDelete.Text, StringComparison.Ordinal);
        Assert.Equal(["terse-copy"], (await PresetsOfAsync(userId)).Select(p => p.Name));
    }

    [Fact]
    public async Task Bad_input_is_named_inline_and_nothing_is_saved()
    {
        var (browser, userId) = await fixture.SignedInAsync(creditMicros: 0);
        var form = await browser.GetAsync("presets/new");

        var page = await browser.SubmitAsync(form, "preset", new Dictionary<string, string>
        {
            ["Input.Name"] = "",
            ["Input.ModelId"] = "nobody/missing-model",
            ["Input.Temperature"] = "warm",
        });

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Nothing was saved", page.Text, StringComparison.Ordinal);
        Assert.Contains("Give the preset a name.", page.Text, StringComparison.Ordinal);
        Assert.Contains("The model 'nobody/missing-model' does not exist.", page.Text, StringComparison.Ordinal);
        Assert.Contains("'warm' is not a number.", page.Text, StringComparison.Ordinal);
        // What was typed stays in the form.
        Assert.Equal("warm", page.Form("preset").Fields["Input.Temperature"]);

        var outOfRange = await browser.SubmitAsync(form, "preset", new Dictionary<string, string>
        {
            ["Input.Name"] = "has spaces",
            ["Input.ModelId"] = PlayHost.Model,
            ["Input.Temperature"] = "5",
            ["Input.TopK"] = "2.5",
        });
        Assert.Contains("Use letters, digits", outOfRange.Text, StringComparison.Ordinal);
        Assert.Contains("Temperature must be between 0 and 2.", outOfRange.Text, StringComparison.Ordinal);
        Assert.Contains("Top K must be a whole number.", outOfRange.Text, StringComparison.Ordinal);
        Assert.Empty(await PresetsOfAsync(userId));

        await browser.SubmitAsync(form, "preset", new Dictionary<string, string> { ["Input.Name"] = "taken", ["Input.ModelId"] = PlayHost.Model });
        var duplicate = await browser.SubmitAsync(form, "preset", new Dictionary<string, string> { ["Input.Name"] = "TAKEN", ["Input.ModelId"] = PlayHost.Model });
        Assert.Contains("You already have a preset named 'TAKEN'.", duplicate.Text, StringComparison.Ordinal);
        Assert.Single(await PresetsOfAsync(userId));
    }

    [Fact]
    public async Task Another_persons_preset_cannot_be_seen_edited_or_deleted()
    {
        var (owner, ownerId) = await fixture.SignedInAsync(creditMicros: 0);
        var form = await owner.GetAsync("presets/new");
        await owner.SubmitAsync(form, "preset", new Dictionary<string, string> { ["Input.Name"] = "mine", ["Input.ModelId"] = PlayHost.Model });
        var preset = Assert.Single(await PresetsOfAsync(ownerId));

        var (stranger, _) = await fixture.SignedInAsync(creditMicros: 0);
        var list = await stranger.GetAsync("presets");
        Assert.DoesNotContain("@preset/mine", list.Text, StringComparison.Ordinal);
        var edit = await stranger.GetAsync($"presets/{preset.Id}/edit");
        Assert.Contains("does not exist, or it is not yours", edit.Text, StringComparison.Ordinal);
        var delete = await stranger.GetAsync($"presets/{preset.Id}/delete");
        Assert.Contains("does not exist, or it is not yours", delete.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(delete.Forms, f => f.Fields.TryGetValue("_handler", out var h) && h == "delete");
        Assert.Single(await PresetsOfAsync(ownerId));
    }

    [Fact]
    public async Task The_playgrounds_save_form_creates_a_preset_through_the_same_page()
    {
        var (browser, userId) = await fixture.SignedInAsync(creditMicros: 0);
        var playground = await browser.GetAsync("playground");

        var saved = await browser.SubmitAsync(playground, playground.Form("presets/new"), new Dictionary<string, string>
        {
            ["Input.Name"] = "from-playground",
            ["Input.ModelId"] = PlayHost.Model,
            ["Input.SystemPrompt"] = "You are the playground.",
            ["Input.TopP"] = "0.9",
        });

        Assert.Equal("/presets", saved.Path);
        var preset = Assert.Single(await PresetsOfAsync(userId));
        Assert.Equal("from-playground", preset.Name);
        Assert.Equal(0.9, JsonNode.Parse(preset.ParametersJson)!["top_p"]!.GetValue<double>());
        var reopened = await browser.GetAsync("playground?preset=from-playground");
        Assert.Contains("\"preset\":\"from-playground\"", reopened.Html, StringComparison.Ordinal);
    }

    private Task<List<Preset>> PresetsOfAsync(string userId) =>
        fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().Presets.AsNoTracking().Where(p => p.UserId == userId).OrderBy(p => p.Name).ToListAsync());
}
