using System.Net;
using AkashML.Data.Presets;
using AkashML.Web.Components.Pages.Presets;

namespace AkashML.Web.IntegrationTests.Dashboard.Presets;

/// <summary>The preset list, rendered with HtmlRenderer.</summary>
public sealed class PresetTableMarkupTests
{
    [Fact]
    public async Task Rows_show_what_each_preset_sets_and_link_every_action()
    {
        var kept = new Preset
        {
            UserId = "u", Name = "support-bot", ModelId = "acme/chat", SystemPrompt = "You answer <b>support</b> questions.",
            ParametersJson = """{"temperature":0.3,"stop":["END"]}""",
        };
        var orphan = new Preset { UserId = "u", Name = "old", ModelId = "gone/model" };

        var html = await MarkupRenderer.RenderAsync<PresetTable>(new Dictionary<string, object?>
        {
            ["Presets"] = new[] { kept, orphan },
            ["KnownModels"] = new HashSet<string> { "acme/chat" },
        });
        var text = WebUtility.HtmlDecode(html);

        Assert.Contains("@preset/support-bot", text, StringComparison.Ordinal);
        Assert.Contains("temperature</code> 0.3", text, StringComparison.Ordinal);
        Assert.Contains("stop</code> \"END\"", text, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;support&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("Model defaults", text, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "Model missing"));
        Assert.Contains("href=\"playground?preset=support-bot\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"presets/{kept.Id}/edit\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"presets/new?from={kept.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"presets/{orphan.Id}/delete\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"Delete old\"", html, StringComparison.Ordinal);
    }
}
