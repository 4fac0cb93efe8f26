using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OAuth;

namespace AkashML.Web.Accounts.External;

/// <summary>A sign-in provider we know how to talk to: its scheme name, defaults and how it turns a token into claims.</summary>
public sealed record ExternalProvider(
    string Scheme,
    string DisplayName,
    string AuthorizationEndpoint,
    string TokenEndpoint,
    string UserInformationEndpoint,
    string? EmailsEndpoint,
    IReadOnlyList<string> Scopes,
    string CallbackPath,
    Func<OAuthCreatingTicketContext, ExternalProviderOptions, Task> AddClaimsAsync)
{
    /// <summary>Set to <c>"true"</c> when the provider vouches that the email address belongs to the person.</summary>
    public const string EmailVerifiedClaim = "email_verified";

    public static readonly ExternalProvider GitHub = new(
        "GitHub",
        "GitHub",
        "https://github.com/login/oauth/authorize",
        "https://github.com/login/oauth/access_token",
        "https://api.github.com/user",
        "https://api.github.com/user/emails",
        ["read:user", "user:email"],
        "/signin-github",
        GitHubClaims.AddAsync);

    public static readonly ExternalProvider Google = new(
        "Google",
        "Google",
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://oauth2.googleapis.com/token",
        "https://openidconnect.googleapis.com/v1/userinfo",
        null,
        ["openid", "profile", "email"],
        "/signin-google",
        GoogleClaims.AddAsync);

    public static IReadOnlyList<ExternalProvider> All { get; } = [GitHub, Google];

    public string ConfigurationSection => "Authentication:" + Scheme;

    /// <summary>Fills the provider's defaults into options that configuration then overrides.</summary>
    public void ApplyDefaults(ExternalProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AuthorizationEndpoint = AuthorizationEndpoint;
        options.TokenEndpoint = TokenEndpoint;
        options.UserInformationEndpoint = UserInformationEndpoint;
        options.EmailsEndpoint = EmailsEndpoint;
        options.CallbackPath = CallbackPath;
    }

    internal static void AddClaim(ClaimsIdentity identity, string type, string? value, string issuer)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            identity.AddClaim(new Claim(type, value, ClaimValueTypes.String, issuer));
        }
    }
}
