using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OAuth;

namespace AkashML.Web.Accounts.External;

/// <summary>Google: <c>sub</c>, <c>name</c>, <c>email</c> and <c>email_verified</c> from the OpenID Connect userinfo endpoint.</summary>
internal static class GoogleClaims
{
    public static async Task AddAsync(OAuthCreatingTicketContext context, ExternalProviderOptions options)
    {
        var identity = context.Identity ?? throw new InvalidOperationException("The Google ticket has no identity.");
        var issuer = context.Options.ClaimsIssuer ?? context.Scheme.Name;
        using var user = await ProviderApi.GetJsonAsync(context, options.UserInformationEndpoint);
        var root = user.RootElement;
        var id = ProviderApi.GetString(root, "sub") ?? throw new InvalidOperationException("Google's userinfo endpoint returned no subject.");
        ExternalProvider.AddClaim(identity, ClaimTypes.NameIdentifier, id, issuer);
        ExternalProvider.AddClaim(identity, ClaimTypes.Name, ProviderApi.GetString(root, "name"), issuer);
        ExternalProvider.AddClaim(identity, ClaimTypes.Email, ProviderApi.GetString(root, "email"), issuer);
        var verified = ProviderApi.GetString(root, "email_verified");
        ExternalProvider.AddClaim(identity, ExternalProvider.EmailVerifiedClaim, string.Equals(verified, "true", StringComparison.OrdinalIgnoreCase) ? "true" : "false", issuer);
    }
}
