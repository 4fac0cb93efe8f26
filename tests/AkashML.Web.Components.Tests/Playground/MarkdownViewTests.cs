using AkashML.Web.Components.Pages.Playground;
using AkashML.Web.Components.Tests.Infrastructure;
using Bunit;

namespace AkashML.Web.Components.Tests.Playground;

/// <summary>Model output is untrusted: Markdown renders, HTML does not, links cannot run script, code blocks copy.</summary>
public sealed class MarkdownViewTests(DashboardHost host) : DashboardTest(host)
{
    [Fact]
    public void Markdown_renders_html_stays_text_unsafe_links_are_dropped_and_code_blocks_copy()
    {
        var copy = JSInterop.Setup<bool>("akashml.copy", _ => true);
        copy.SetResult(true);

        var view = Render<MarkdownView>(p => p.Add(v => v.Text,
            "<img src=x onerror=alert(1)> **bold** [click](javascript:alert(1)) [site](https://example.com) ![pixel](https://tracker.example/p.png)\n\n```js\nlet x = 1;\n```\n"));

        var html = view.Find(".pg-md").InnerHtml;
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img", html, StringComparison.Ordinal);
        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.com\"", html, StringComparison.Ordinal);
        var block = view.Find("[data-testid=code-block]");
        Assert.Contains("let x = 1;", block.TextContent, StringComparison.Ordinal);
        Assert.Contains("js", view.Find(".pg-code-lang").TextContent, StringComparison.Ordinal);

        view.Find("button[data-testid=copy-code]").Click();

        Assert.Equal("let x = 1;", Assert.Single(copy.Invocations).Arguments[0]);
    }
}
