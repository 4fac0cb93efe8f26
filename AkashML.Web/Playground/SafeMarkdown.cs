using Markdig;
using Markdig.Renderers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace AkashML.Web.Playground;

/// <summary>A piece of rendered model output: HTML to show as is, or a code block (shown with a copy button).</summary>
public abstract record MarkdownPart;

/// <summary>HTML produced by Markdig from untrusted Markdown with raw HTML disabled and links checked.</summary>
public sealed record MarkdownHtml(string Html) : MarkdownPart;

/// <summary>A fenced or indented code block: its info string's first word (the language) and its text.</summary>
public sealed record MarkdownCode(string? Language, string Code) : MarkdownPart;

/// <summary>
/// Renders model output — untrusted — as Markdown: raw HTML is shown as text (<c>DisableHtml</c>), links keep only
/// http(s), mailto and relative targets, images become links (no request leaves the page unasked), and top-level code
/// blocks come out as <see cref="MarkdownCode"/> so the page can give each a copy button.
/// </summary>
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseTaskLists()
        .UseAutoLinks()
        .UseReferralLinks("nofollow", "noopener", "noreferrer")
        .Build();

    public static IReadOnlyList<MarkdownPart> Render(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            link.IsImage = false;
        }

        var parts = new List<MarkdownPart>();
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer) { LinkRewriter = Safe };
        Pipeline.Setup(renderer);
        foreach (var block in document)
        {
            if (block is CodeBlock code)
            {
                Flush(writer, parts);
                var language = (code as FencedCodeBlock)?.Info?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
                parts.Add(new MarkdownCode(string.IsNullOrEmpty(language) ? null : language, code.Lines.ToString()));
                continue;
            }

            renderer.Render(block);
        }

        Flush(writer, parts);
        return parts;
    }

    /// <summary>Only targets that cannot run script: web and mail links, and links within this site.</summary>
    public static string Safe(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var compact = new string(url.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray());
        var colon = compact.IndexOf(':', StringComparison.Ordinal);
        var slash = compact.IndexOfAny(['/', '?', '#']);
        var hasScheme = colon >= 0 && (slash < 0 || colon < slash);
        if (!hasScheme)
        {
            return url;
        }

        return compact.StartsWith("http:", StringComparison.OrdinalIgnoreCase)
            || compact.StartsWith("https:", StringComparison.OrdinalIgnoreCase)
            || compact.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)
            ? url
            : "#";
    }

    private static void Flush(StringWriter writer, List<MarkdownPart> parts)
    {
        var html = writer.ToString();
        writer.GetStringBuilder().Clear();
        if (html.Length > 0)
        {
            parts.Add(new MarkdownHtml(html));
        }
    }
}
