using Microsoft.AspNetCore.Mvc;

namespace AkashML.Web.Shell;

/// <summary>
/// <c>POST /theme</c>: the theme toggle without script (the script switches in place and never posts). Stores the
/// choice in the cookie and returns to the page the form was on.
/// </summary>
public static class ThemeEndpoint
{
    public static IEndpointConventionBuilder MapThemeEndpoint(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/theme", SetTheme).WithName("SetTheme").ExcludeFromDescription();

    private static IResult SetTheme(HttpContext context, [FromForm] string? theme, [FromForm] string? returnUrl)
    {
        if (ThemePreference.Parse(theme) is not { } chosen)
        {
            return TypedResults.BadRequest("theme must be light or dark.");
        }

        context.Response.Cookies.Append(ThemePreference.CookieName, chosen, ThemePreference.CookieOptions(context));
        var target = "~/" + (returnUrl ?? "").TrimStart('/');
        return TypedResults.LocalRedirect(IsLocal(target) ? target : "~/");
    }

    // The same rule as LocalRedirect's own check, so a crafted return URL goes home instead of failing.
    private static bool IsLocal(string url) =>
        url.Length == 2 || (url[2] != '/' && url[2] != '\\' && !url.Any(char.IsControl));
}
