namespace AkashML.Web.Shell;

/// <summary>
/// The light/dark choice. The browser keeps it in localStorage and in a cookie (wwwroot/js/theme.js) so the server
/// renders the chosen theme in the first byte, without a flash of the other one.
/// </summary>
public static class ThemePreference
{
    public const string CookieName = "am-theme";

    public const string Light = "light";

    public const string Dark = "dark";

    /// <summary>The theme the request asks for; light unless the cookie says dark.</summary>
    public static string FromRequest(HttpContext? context) =>
        Parse(context?.Request.Cookies[CookieName]) ?? Light;

    /// <summary><c>light</c> or <c>dark</c>; anything else is null.</summary>
    public static string? Parse(string? value) => value switch
    {
        Light => Light,
        Dark => Dark,
        _ => null,
    };

    /// <summary>The cookie the script writes too: a year, whole site, readable by script (it only holds the theme).</summary>
    public static CookieOptions CookieOptions(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new CookieOptions
        {
            Path = string.IsNullOrEmpty(context.Request.PathBase) ? "/" : context.Request.PathBase.Value,
            MaxAge = TimeSpan.FromDays(365),
            SameSite = SameSiteMode.Lax,
            HttpOnly = false,
            IsEssential = true,
            Secure = context.Request.IsHttps,
        };
    }
}
