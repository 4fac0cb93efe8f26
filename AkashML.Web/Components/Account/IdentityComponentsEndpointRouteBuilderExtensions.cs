using System.Security.Claims;
using System.Text.Json;
using AkashML.Data.Identity;
using AkashML.Web.Components.Account.Pages;
using AkashML.Web.Components.Account.Pages.Manage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Primitives;

namespace AkashML.Web.Components.Account;

/// <summary>The form-post endpoints the account pages need besides the pages themselves (external challenge, sign-out, data export).</summary>
internal static class IdentityComponentsEndpointRouteBuilderExtensions
{
    public static IEndpointConventionBuilder MapAdditionalIdentityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        var accountGroup = endpoints.MapGroup("/Account");

        accountGroup.MapPost("/PerformExternalLogin", async (
            HttpContext context,
            [FromServices] SignInManager<ApplicationUser> signInManager,
            [FromForm] string provider,
            [FromForm] string? returnUrl) =>
        {
            if (!await IsExternalSchemeAsync(signInManager, provider))
            {
                return UnknownProvider(context, "Account/Login");
            }

            IEnumerable<KeyValuePair<string, StringValues>> query = [
                new("ReturnUrl", returnUrl),
                new("Action", ExternalLogin.LoginCallbackAction)];

            var redirectUrl = UriHelper.BuildRelative(context.Request.PathBase, "/Account/ExternalLogin", QueryString.Create(query));
            var properties = signInManager.ConfigureExternalAuthenticationProperties(provider, redirectUrl);
            return TypedResults.Challenge(properties, [provider]);
        });

        accountGroup.MapPost("/Logout", async (
            ClaimsPrincipal user,
            [FromServices] SignInManager<ApplicationUser> signInManager,
            [FromForm] string? returnUrl) =>
        {
            // A new security stamp ends every session of the account, so dashboards left open in other tabs or on
            // other devices lose their circuit at the next revalidation instead of staying signed in.
            if (await signInManager.UserManager.GetUserAsync(user) is { } signedIn)
            {
                await signInManager.UserManager.UpdateSecurityStampAsync(signedIn);
            }

            await signInManager.SignOutAsync();
            var target = "~/" + (returnUrl ?? "").TrimStart('/');
            return TypedResults.LocalRedirect(IsLocal(target) ? target : "~/");
        });

        var manageGroup = accountGroup.MapGroup("/Manage").RequireAuthorization();

        manageGroup.MapPost("/LinkExternalLogin", async (
            HttpContext context,
            [FromServices] SignInManager<ApplicationUser> signInManager,
            [FromForm] string provider) =>
        {
            if (!await IsExternalSchemeAsync(signInManager, provider))
            {
                return UnknownProvider(context, "Account/Manage/ExternalLogins");
            }

            // Clear the existing external cookie to ensure a clean login process
            await context.SignOutAsync(IdentityConstants.ExternalScheme);

            var redirectUrl = UriHelper.BuildRelative(
                context.Request.PathBase,
                "/Account/Manage/ExternalLogins",
                QueryString.Create("Action", ExternalLogins.LinkLoginCallbackAction));

            var properties = signInManager.ConfigureExternalAuthenticationProperties(provider, redirectUrl, signInManager.UserManager.GetUserId(context.User));
            return TypedResults.Challenge(properties, [provider]);
        });

        var loggerFactory = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>();
        var downloadLogger = loggerFactory.CreateLogger("DownloadPersonalData");

        manageGroup.MapPost("/DownloadPersonalData", async (
            HttpContext context,
            [FromServices] UserManager<ApplicationUser> userManager) =>
        {
            var user = await userManager.GetUserAsync(context.User);
            if (user is null)
            {
                return Results.NotFound($"Unable to load user with ID '{userManager.GetUserId(context.User)}'.");
            }

            var userId = await userManager.GetUserIdAsync(user);
            downloadLogger.LogInformation("User with ID '{UserId}' asked for their personal data.", userId);

            // Only include personal data for download
            var personalData = new Dictionary<string, string>();
            var personalDataProps = typeof(ApplicationUser).GetProperties().Where(
                prop => Attribute.IsDefined(prop, typeof(PersonalDataAttribute)));
            foreach (var p in personalDataProps)
            {
                personalData.Add(p.Name, p.GetValue(user)?.ToString() ?? "null");
            }

            var logins = await userManager.GetLoginsAsync(user);
            foreach (var l in logins)
            {
                personalData.Add($"{l.LoginProvider} external login provider key", l.ProviderKey);
            }

            personalData.Add("Authenticator Key", await userManager.GetAuthenticatorKeyAsync(user) ?? "");
            var fileBytes = JsonSerializer.SerializeToUtf8Bytes(personalData);

            context.Response.Headers.TryAdd("Content-Disposition", "attachment; filename=PersonalData.json");
            return TypedResults.File(fileBytes, contentType: "application/json", fileDownloadName: "PersonalData.json");
        });

        return accountGroup;
    }

    private static async Task<bool> IsExternalSchemeAsync(SignInManager<ApplicationUser> signInManager, string? provider) =>
        !string.IsNullOrEmpty(provider)
        && (await signInManager.GetExternalAuthenticationSchemesAsync()).Any(s => string.Equals(s.Name, provider, StringComparison.Ordinal));

    private static IResult UnknownProvider(HttpContext context, string page)
    {
        IdentityRedirectManager.SetStatus(context, "Error: that sign-in provider is not available.");
        return TypedResults.LocalRedirect("~/" + page);
    }

    // The same rule as LocalRedirect's own check, so a crafted return URL redirects home instead of failing.
    private static bool IsLocal(string url) =>
        url.Length == 2 || (url[2] != '/' && url[2] != '\\' && !url.Any(char.IsControl));
}
