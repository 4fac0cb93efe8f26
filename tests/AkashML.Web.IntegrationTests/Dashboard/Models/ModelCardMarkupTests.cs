using System.Net;
using AkashML.Inference.Catalog;
using AkashML.Web.Components.Pages.Models;

namespace AkashML.Web.IntegrationTests.Dashboard.Models;

/// <summary>The Models page's card, rendered with HtmlRenderer.</summary>
public sealed class ModelCardMarkupTests
{
    private static readonly Uri BaseUrl = new("https://ai.example.test/");

    [Fact]
    public async Task A_card_shows_limits_prices_catalog_ranges_status_and_how_to_call_it()
    {
        var model = new ModelDescriptor
        {
            Id = "acme/chat-7b",
            DisplayName = "Acme Chat 7B",
            Description = "A helpful <chat> model.",
            Path = "/models/acme/chat-7b",
            ContextLength = 8192,
            MaxOutputTokens = 1024,
            InputPricePerMillion = 0.15m,
            OutputPricePerMillion = 0.6m,
            Quantization = "int4",
            Parameters = new Dictionary<string, ParameterRange> { ["temperature"] = new(0.1, 1.5, 0.7) },
        };

        var html = await MarkupRenderer.RenderAsync<ModelCard>(new Dictionary<string, object?>
        {
            ["Model"] = model, ["Loaded"] = true, ["SupportsTools"] = true, ["BaseUrl"] = BaseUrl,
        });
        var text = WebUtility.HtmlDecode(html);

        Assert.Contains("Acme Chat 7B", text, StringComparison.Ordinal);
        Assert.Contains("A helpful &lt;chat&gt; model.", html, StringComparison.Ordinal);
        Assert.Contains("8,192 tokens", text, StringComparison.Ordinal);
        Assert.Contains("1,024 tokens", text, StringComparison.Ordinal);
        Assert.Contains("$0.15", text, StringComparison.Ordinal);
        Assert.Contains("$0.60", text, StringComparison.Ordinal);
        Assert.Contains("int4", text, StringComparison.Ordinal);
        Assert.Contains(">Loaded<", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Smoke test", text, StringComparison.Ordinal);
        Assert.Contains("Tool calling", text, StringComparison.Ordinal);
        // The catalog's range for temperature, the API's for the rest, the output cap for max_tokens.
        Assert.Contains("temperature</code> 0.1–1.5 · default 0.7", text, StringComparison.Ordinal);
        Assert.Contains("top_p</code> 0–1 · default 1", text, StringComparison.Ordinal);
        Assert.Contains("max_tokens</code> 1–1024 · default 256", text, StringComparison.Ordinal);
        Assert.Contains("href=\"playground?model=acme%2Fchat-7b\"", html, StringComparison.Ordinal);
        Assert.Contains("https://ai.example.test/v1/chat/completions", text, StringComparison.Ordinal);
        Assert.Contains("YOUR_API_KEY", text, StringComparison.Ordinal);
        Assert.Contains("\"model\": \"acme/chat-7b\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_smoke_test_model_is_marked_and_an_unloaded_one_says_so()
    {
        var model = new ModelDescriptor
        {
            Id = ModelCatalog.TinyRandomId, DisplayName = "Tiny random", Path = "/m", ContextLength = 2048, IsSmokeTest = true, InputPricePerMillion = 0,
        };

        var text = WebUtility.HtmlDecode(await MarkupRenderer.RenderAsync<ModelCard>(new Dictionary<string, object?>
        {
            ["Model"] = model, ["Loaded"] = false, ["BaseUrl"] = BaseUrl,
        }));

        Assert.Contains("Smoke test", text, StringComparison.Ordinal);
        Assert.Contains("Loads on first use", text, StringComparison.Ordinal);
        Assert.Contains("Free", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Tool calling", text, StringComparison.Ordinal);
    }
}
