using AspNet.Security.OAuth.GitHub;
using Microsoft.AspNetCore.Authentication.Google;

namespace AkashML.Web.Accounts.External;

/// <summary>A sign-in provider we offer: its scheme name (also the configuration section's last part) and display name.</summary>
public sealed record ExternalProvider(string Scheme, string DisplayName)
{
    /// <summary>Set to <c>"true"</c> (any case) when the provider vouches that the email address belongs to the person.</summary>
    public const string EmailVerifiedClaim = "email_verified";

    public static readonly ExternalProvider GitHub = new(GitHubAuthenticationDefaults.AuthenticationScheme, GitHubAuthenticationDefaults.DisplayName);

    public static readonly ExternalProvider Google = new(GoogleDefaults.AuthenticationScheme, GoogleDefaults.DisplayName);

    public static IReadOnlyList<ExternalProvider> All { get; } = [GitHub, Google];

    public string ConfigurationSection => "Authentication:" + Scheme;
}
