namespace AkashML.Web.Inferences;

/// <summary>
/// <c>GET /inferences/lookup?id=…</c>, the look-up form's target: redirects to the request's own page, so the address
/// bar holds a link support can use. Whether the id exists (and is the user's) is that page's business.
/// </summary>
public static class InferenceLookupEndpoint
{
    public static IEndpointRouteBuilder MapInferenceLookup(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/inferences/lookup", (HttpContext http, string? id) =>
        {
            var target = string.IsNullOrWhiteSpace(id) ? "/inferences" : "/inferences/" + Uri.EscapeDataString(id.Trim());
            return TypedResults.Redirect(http.Request.PathBase + target);
        }).RequireAuthorization().ExcludeFromDescription();
        return endpoints;
    }
}
