using AkashML.Web.Keys;

namespace AkashML.Web.Api;

/// <summary>The API key a request presents: <c>Authorization: Bearer</c> or Anthropic's <c>x-api-key</c>.</summary>
public static class ApiKeyCredentials
{
    /// <summary>
    /// The presented secret: null when none was sent, "" when the header is malformed (not Bearer, repeated, absurdly
    /// long), which then fails like any wrong key. Long headers are not copied.
    /// </summary>
    public static string? Presented(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
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
