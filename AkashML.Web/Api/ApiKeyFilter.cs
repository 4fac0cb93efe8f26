using System.Diagnostics;
using AkashML.Web.Keys;

namespace AkashML.Web.Api;

/// <summary>
/// Authenticates the caller by API key: <c>Authorization: Bearer</c> or Anthropic's <c>x-api-key</c>. Unknown,
/// revoked, expired or malformed keys all get the same 401, so nothing leaks about which it was.
/// </summary>
public sealed class ApiKeyFilter(ApiKeyService keys) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var started = Stopwatch.GetTimestamp();
        var presented = PresentedSecret(http.Request);
        if (presented is null)
        {
            throw ApiException.Unauthorized("Missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");
        }

        var key = await keys.AuthenticateAsync(presented, http.RequestAborted)
            ?? throw ApiException.Unauthorized("Invalid API key.");
        var call = ApiCall.Of(http);
        call.Key = key;
        call.AuthDuration = Stopwatch.GetElapsedTime(started);
        return await next(context);
    }

    /// <summary>
    /// The presented secret: null when none was sent, "" when the header is malformed (not Bearer, repeated, absurdly
    /// long), which then fails like any wrong key. Long headers are not copied.
    /// </summary>
    private static string? PresentedSecret(HttpRequest request)
    {
        const string Scheme = "Bearer ";
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 0)
        {
            var header = authorization.Count == 1 ? (authorization[0] ?? "").AsSpan().Trim() : [];
            return header.Length <= Scheme.Length + ApiKeySecret.MaxPresentedLength && header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
                ? header[Scheme.Length..].Trim().ToString()
                : "";
        }

        var apiKey = request.Headers["x-api-key"];
        if (apiKey.Count > 0)
        {
            var header = apiKey.Count == 1 ? (apiKey[0] ?? "").AsSpan().Trim() : [];
            return header.Length <= ApiKeySecret.MaxPresentedLength ? header.ToString() : "";
        }

        return null;
    }
}
