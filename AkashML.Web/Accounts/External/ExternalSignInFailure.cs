using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;

namespace AkashML.Web.Accounts.External;

/// <summary>
/// Turns a failed provider callback (forged or stale <c>state</c>, access denied, provider error) into a redirect to a
/// page that explains it, instead of an unhandled exception. Nothing is signed in or changed.
/// </summary>
public static class ExternalSignInFailure
{
    public const string PagePath = "/Account/ExternalLoginFailed";

    /// <summary>The failure kinds the page knows how to explain.</summary>
    public static class Reasons
    {
        public const string State = "state";
        public const string Denied = "denied";
        public const string Provider = "provider";
    }

    public static Task HandleAsync(RemoteFailureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reason = Classify(context.Failure);
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ExternalSignInFailure));
        logger.LogWarning(context.Failure, "Sign-in with {Provider} failed ({Reason})", context.Scheme.Name, reason);

        var target = QueryHelpers.AddQueryString(
            context.Request.PathBase + PagePath,
            new Dictionary<string, string?> { ["provider"] = context.Scheme.Name, ["reason"] = reason });
        context.Response.Redirect(target);
        context.HandleResponse();
        return Task.CompletedTask;
    }

    // The remote-authentication handlers report these cases only through fixed messages and the "error" data entry.
    private static string Classify(Exception? failure) => failure switch
    {
        { Message: "The oauth state was missing or invalid." or "Correlation failed." } => Reasons.State,
        _ when failure?.Data["error"] is "access_denied" => Reasons.Denied,
        _ => Reasons.Provider,
    };
}
