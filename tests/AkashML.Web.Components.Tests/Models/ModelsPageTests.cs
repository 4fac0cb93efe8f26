using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Web.Components.Pages.Models;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Components.Tests.Keys;
using Bunit;

namespace AkashML.Web.Components.Tests.Models;

/// <summary>The Models page over the real catalog, and one card in detail.</summary>
public sealed class ModelsPageTests(DashboardHost host) : DashboardTest(host)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly Uri BaseUrl = new("https://ai.example.test/");

    [Fact]
    public async Task The_page_lists_the_catalog_and_the_status_follows_loading_on_its_own()
    {
        await SignInNewUserAsync();
        var modelHost = HostService<ModelHost>();
        var catalog = modelHost.List();
        Assert.NotEmpty(catalog);

        var cut = Render<WithProviders>(p => p.AddChildContent<Pages.Models.Models>(page => page.Add(x => x.RefreshInterval, TimeSpan.FromMilliseconds(200))));

        Assert.Equal(catalog.Count, cut.FindAll("[data-model]").Count);
        var tiny = cut.Find($"[data-model='{ModelCatalog.TinyRandomId}']");
        Assert.Contains("Smoke test", tiny.TextContent, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("h1"));
        Assert.Single(cut.FindAll("h1"));
        if (!modelHost.LoadedModels.Contains(ModelCatalog.TinyRandomId))
        {
            Assert.Equal("false", tiny.QuerySelector("[data-testid=status]")!.GetAttribute("data-loaded"));
            Assert.Contains("Loads on first use", tiny.TextContent, StringComparison.Ordinal);
        }

        // A request elsewhere loads the model; the open page shows it without a reload.
        await modelHost.GetAsync(ModelCatalog.TinyRandomId, CancellationToken.None);

        cut.WaitForAssertion(() =>
            Assert.Equal("true", cut.Find($"[data-model='{ModelCatalog.TinyRandomId}'] [data-testid=status]").GetAttribute("data-loaded")), Wait);
        Assert.Contains("Loaded", cut.Find($"[data-model='{ModelCatalog.TinyRandomId}']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_card_shows_limits_prices_catalog_ranges_status_and_how_to_call_it()
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

        var card = Render<ModelCard>(p => p.Add(x => x.Model, model).Add(x => x.Loaded, true).Add(x => x.SupportsTools, true).Add(x => x.BaseUrl, BaseUrl));
        var text = card.Find("[data-model]").TextContent;

        Assert.Contains("Acme Chat 7B", text, StringComparison.Ordinal);
        Assert.Contains("A helpful &lt;chat&gt; model.", card.Markup, StringComparison.Ordinal);
        Assert.Contains("8,192 tokens", text, StringComparison.Ordinal);
        Assert.Contains("1,024 tokens", text, StringComparison.Ordinal);
        Assert.Contains("$0.15", text, StringComparison.Ordinal);
        Assert.Contains("$0.60", text, StringComparison.Ordinal);
        Assert.Contains("int4", text, StringComparison.Ordinal);
        Assert.Equal("true", card.Find("[data-testid=status]").GetAttribute("data-loaded"));
        Assert.DoesNotContain("Smoke test", text, StringComparison.Ordinal);
        Assert.Contains("Tool calling", text, StringComparison.Ordinal);
        // The catalog's range for temperature, the API's for the rest, the output cap for max_tokens.
        Assert.Contains("temperature 0.1–1.5 · default 0.7", text, StringComparison.Ordinal);
        Assert.Contains("top_p 0–1 · default 1", text, StringComparison.Ordinal);
        Assert.Contains("max_tokens 1–1024 · default 256", text, StringComparison.Ordinal);
        Assert.NotNull(card.Find("a[href='playground?model=acme%2Fchat-7b']"));
        Assert.NotNull(card.Find("a[href='presets/new?model=acme%2Fchat-7b']"));
    }

    [Fact]
    public void The_code_sample_calls_this_instance_and_copies()
    {
        var model = new ModelDescriptor { Id = "acme/chat-7b", DisplayName = "Acme", Path = "/m", ContextLength = 2048 };
        var copy = JSInterop.Setup<bool>("akashml.copy", _ => true);
        copy.SetResult(true);
        var cut = Render<WithProviders>(p => p.AddChildContent<ModelCard>(c => c.Add(x => x.Model, model).Add(x => x.BaseUrl, BaseUrl)));

        cut.Find(".mud-expand-panel-header").Click();

        cut.WaitForAssertion(() => Assert.Contains("https://ai.example.test/v1/chat/completions", cut.Markup, StringComparison.Ordinal), Wait);
        Assert.Contains("YOUR_API_KEY", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("\"model\": \"acme/chat-7b\"", cut.Find("pre").TextContent, StringComparison.Ordinal);
        cut.Find("[aria-label='Copy the curl sample']").Click();
        cut.WaitForAssertion(() => Assert.Contains("Copied the code sample.", cut.Markup, StringComparison.Ordinal), Wait);
        Assert.Contains("chat/completions", (string)Assert.Single(copy.Invocations).Arguments[0]!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_smoke_test_model_is_marked_and_an_unloaded_one_says_so()
    {
        var model = new ModelDescriptor
        {
            Id = ModelCatalog.TinyRandomId, DisplayName = "Tiny random", Path = "/m", ContextLength = 2048, IsSmokeTest = true, InputPricePerMillion = 0,
        };

        var card = Render<WithProviders>(p => p.AddChildContent<ModelCard>(c => c.Add(x => x.Model, model).Add(x => x.Loaded, false).Add(x => x.BaseUrl, BaseUrl)));
        var text = card.Find("[data-model]").TextContent;

        Assert.Contains("Smoke test", text, StringComparison.Ordinal);
        Assert.Contains("Loads on first use", text, StringComparison.Ordinal);
        Assert.Contains("Free", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Tool calling", text, StringComparison.Ordinal);
    }
}
