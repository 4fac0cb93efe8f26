using System.Net;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>
/// Drives the app the way a browser does: keeps cookies (the app's client handles them), follows redirects one hop at
/// a time — across to other servers such as a fake OAuth provider and back — and submits forms as rendered, antiforgery
/// token included.
/// </summary>
public sealed class BrowserSession(HttpClient app, Uri? baseAddress = null) : IDisposable
{
    /// <summary>Where the app answers: the in-process test server, or Kestrel's address for a real-HTTP host.</summary>
    public Uri BaseAddress { get; } = baseAddress ?? AkashWebHost.BaseAddress;

    private const int MaxRedirects = 10;
    private readonly HttpClient _elsewhere = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Every URL requested, in order (redirect hops included).</summary>
    public List<Uri> History { get; } = [];

    public HttpClient App => app;

    public Task<HtmlPage> GetAsync(string url) => SendAsync(HttpMethod.Get, new Uri(BaseAddress, url), null);

    /// <summary>Submits <paramref name="form"/> with its rendered values, overridden by <paramref name="values"/>.</summary>
    public Task<HtmlPage> SubmitAsync(HtmlPage page, HtmlForm form, IReadOnlyDictionary<string, string>? values = null, KeyValuePair<string, string>? button = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(form);
        var fields = new Dictionary<string, string>(form.Fields, StringComparer.Ordinal);
        foreach (var (key, value) in values ?? new Dictionary<string, string>())
        {
            fields[key] = value;
        }

        if (button is { } pressed)
        {
            fields[pressed.Key] = pressed.Value;
        }

        var target = string.IsNullOrEmpty(form.Action) ? page.Url : page.Resolve(form.Action);
        return SendAsync(HttpMethod.Post, target, new FormUrlEncodedContent(fields));
    }

    /// <summary>Convenience: find the form named <paramref name="formName"/> on the page and submit it.</summary>
    public Task<HtmlPage> SubmitAsync(HtmlPage page, string formName, IReadOnlyDictionary<string, string>? values = null) =>
        SubmitAsync(page, page.Form(formName), values);

    /// <summary>Posts raw fields, with no antiforgery token unless given: what a cross-site forgery would send.</summary>
    public Task<HtmlPage> PostRawAsync(string url, IReadOnlyDictionary<string, string> fields) =>
        SendAsync(HttpMethod.Post, new Uri(BaseAddress, url), new FormUrlEncodedContent(fields));

    /// <summary>Requests <paramref name="url"/> (absolute, anywhere) and follows redirects.</summary>
    public Task<HtmlPage> NavigateAsync(Uri url) => SendAsync(HttpMethod.Get, url, null);

    /// <summary>Requests one URL without following its redirect.</summary>
    public async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, Uri url, HttpContent? content = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        History.Add(url);
        using var request = new HttpRequestMessage(method, url) { Content = content };
        var client = IsApp(url) ? app : _elsewhere;
        return await client.SendAsync(request);
    }

    private async Task<HtmlPage> SendAsync(HttpMethod method, Uri url, HttpContent? content)
    {
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var response = await SendOnceAsync(method, url, content);
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.MovedPermanently or HttpStatusCode.TemporaryRedirect
                && response.Headers.Location is { } location)
            {
                url = location.IsAbsoluteUri ? location : new Uri(url, location);
                method = HttpMethod.Get;
                content = null;
                continue;
            }

            var html = await response.Content.ReadAsStringAsync();
            return new HtmlPage(url, response.StatusCode, html);
        }

        throw new InvalidOperationException($"More than {MaxRedirects} redirects, last at {url}: {string.Join(" -> ", History.TakeLast(MaxRedirects))}");
    }

    private bool IsApp(Uri url) =>
        string.Equals(url.Authority, BaseAddress.Authority, StringComparison.OrdinalIgnoreCase);

    public void Dispose()
    {
        _elsewhere.Dispose();
        app.Dispose();
    }
}
