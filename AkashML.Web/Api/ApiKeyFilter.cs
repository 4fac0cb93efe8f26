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
        var presented = PresentedSecret(http.Request);
        if (presented is null)
        {
            throw ApiException.Unauthorized("Missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");
        }

        var key = await keys.AuthenticateAsync(presented, http.RequestAborted)
            ?? throw ApiException.Unauthorized("Invalid API key.");
        ApiCall.Of(http).Key = key;
        return await next(context);
    }

    private static string? PresentedSecret(HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
        {
            const string Scheme = "Bearer ";
            return authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? authorization[Scheme.Length..].Trim() : "";
        }

        return request.Headers["x-api-key"].ToString() is { Length: > 0 } apiKey ? apiKey.Trim() : null;
    }
}
