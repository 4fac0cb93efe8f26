namespace AkashML.Web.Hosting;

/// <summary>
/// Browser protections for the dashboard's responses: scripts only from this origin (the Blazor circuit talks to it
/// over a WebSocket), no framing by other sites, no MIME sniffing, no full referrers to other origins, and HSTS on
/// HTTPS outside development. MudBlazor sets inline styles, so styles may be inline; scripts may not. The APIs answer
/// JSON to programs and skip this (their path stays as short as it can be).
/// </summary>
/// <remarks>
/// A startup filter, so the headers are set before any other middleware runs — the sign-in redirect that authorization
/// answers for a signed-out visitor carries them too.
/// </remarks>
public sealed class SecurityHeaders(IWebHostEnvironment environment) : IStartupFilter
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    /// <summary>One year, sub-domains included: what browsers' preload lists expect.</summary>
    private const string StrictTransportSecurity = "max-age=31536000; includeSubDomains";

    private static readonly PathString[] ApiPaths = ["/v1", "/anthropic", "/tokenize", "/detokenize"];

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var hsts = !environment.IsDevelopment();
        app.Use((context, nextMiddleware) =>
        {
            if (!ApiPaths.Any(p => context.Request.Path.StartsWithSegments(p)))
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                if (hsts && context.Request.IsHttps)
                {
                    headers.StrictTransportSecurity = StrictTransportSecurity;
                }
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
