using System.Security.Claims;
using AkashML.Web.Api;

namespace AkashML.Web.Playground;

/// <summary>
/// Authenticates playground requests by the sign-in cookie instead of an API key, and lets them run as the user's
/// hidden playground key (<see cref="PlaygroundKeys"/>). The antiforgery token is checked before this runs (the
/// route requires it), since a cookie alone would let any site post on the user's behalf.
/// </summary>
public sealed class PlaygroundUserFilter(PlaygroundKeys keys) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var userId = http.User.Identity?.IsAuthenticated == true ? http.User.FindFirstValue(ClaimTypes.NameIdentifier) : null;
        if (string.IsNullOrEmpty(userId))
        {
            throw ApiException.Unauthorized("You are signed out: sign in again to use the playground.");
        }

        ApiCall.Of(http).Key = await keys.GetAsync(userId, http.RequestAborted);
        return await next(context);
    }
}
