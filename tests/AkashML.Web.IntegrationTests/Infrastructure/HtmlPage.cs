using System.Net;
using System.Text.RegularExpressions;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>A fetched page: where the redirects ended, its status and markup, with just enough HTML reading for forms.</summary>
public sealed partial class HtmlPage(Uri url, HttpStatusCode status, string html)
{
    public Uri Url { get; } = url;

    public HttpStatusCode Status { get; } = status;

    public string Html { get; } = html;

    /// <summary>The visible text, tags stripped and whitespace collapsed, for "the page says X" assertions.</summary>
    public string Text => WebUtility.HtmlDecode(Whitespace().Replace(Tags().Replace(Html, " "), " ")).Trim();

    public string Path => Url.AbsolutePath;

    /// <summary>The page's forms, in document order.</summary>
    public IReadOnlyList<HtmlForm> Forms =>
        [.. FormElement().Matches(Html).Select(m => new HtmlForm(Attributes(m.Groups["attrs"].Value), m.Groups["body"].Value))];

    /// <summary>The Blazor form whose <c>_handler</c> is <paramref name="formName"/>, or the form posting to an action ending with it.</summary>
    public HtmlForm Form(string formName) =>
        Forms.FirstOrDefault(f => f.Fields.TryGetValue("_handler", out var handler) && handler == formName)
        ?? Forms.FirstOrDefault(f => f.Action is { } action && action.EndsWith(formName, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"No form '{formName}' on {Url} (status {(int)Status}). Page text: {Truncate(Text)}");

    /// <summary>Absolute URL of a link or form action as the browser would resolve it (honouring <c>&lt;base href&gt;</c>).</summary>
    public Uri Resolve(string href)
    {
        var baseHref = BaseElement().Match(Html) is { Success: true } m ? new Uri(Url, WebUtility.HtmlDecode(m.Groups["href"].Value)) : Url;
        return new Uri(baseHref, WebUtility.HtmlDecode(href));
    }

    /// <summary>Every link target on the page.</summary>
    public IEnumerable<string> Links => LinkElement().Matches(Html).Select(m => WebUtility.HtmlDecode(m.Groups["href"].Value));

    internal static Dictionary<string, string> Attributes(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in Attribute().Matches(text))
        {
            var value = m.Groups["dq"].Success ? m.Groups["dq"].Value : m.Groups["sq"].Success ? m.Groups["sq"].Value : m.Groups["bare"].Value;
            result.TryAdd(m.Groups["name"].Value, WebUtility.HtmlDecode(value));
        }

        return result;
    }

    private static string Truncate(string text) => text.Length <= 600 ? text : text[..600] + "…";

    [GeneratedRegex(@"<form\b(?<attrs>[^>]*)>(?<body>.*?)</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormElement();

    [GeneratedRegex(@"<base\b[^>]*\bhref=""(?<href>[^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex BaseElement();

    [GeneratedRegex(@"<a\b[^>]*\bhref=""(?<href>[^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex LinkElement();

    [GeneratedRegex(@"(?<name>[\w:.-]+)(?:\s*=\s*(?:""(?<dq>[^""]*)""|'(?<sq>[^']*)'|(?<bare>[^\s>]+)))?")]
    private static partial Regex Attribute();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

/// <summary>One form: its action and the values it would submit as rendered (hidden fields, antiforgery token included).</summary>
public sealed partial class HtmlForm
{
    internal HtmlForm(Dictionary<string, string> attributes, string body)
    {
        Action = attributes.GetValueOrDefault("action");
        Method = attributes.GetValueOrDefault("method") ?? "get";
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var buttons = new List<KeyValuePair<string, string>>();
        foreach (Match m in Input().Matches(body))
        {
            var input = HtmlPage.Attributes(m.Groups["attrs"].Value);
            if (!input.TryGetValue("name", out var name))
            {
                continue;
            }

            var type = input.GetValueOrDefault("type") ?? "text";
            if (type is "checkbox" or "radio" && !input.ContainsKey("checked"))
            {
                continue;
            }

            fields[name] = input.GetValueOrDefault("value") ?? "";
        }

        foreach (Match m in Button().Matches(body))
        {
            var button = HtmlPage.Attributes(m.Groups["attrs"].Value);
            if (button.TryGetValue("name", out var name))
            {
                buttons.Add(new(name, button.GetValueOrDefault("value") ?? ""));
            }
        }

        Fields = fields;
        Buttons = buttons;
    }

    public string? Action { get; }

    public string Method { get; }

    /// <summary>Named inputs and their rendered values.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>Named submit buttons (name, value), e.g. the provider buttons.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Buttons { get; }

    [GeneratedRegex(@"<input\b(?<attrs>[^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex Input();

    [GeneratedRegex(@"<button\b(?<attrs>[^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex Button();
}
