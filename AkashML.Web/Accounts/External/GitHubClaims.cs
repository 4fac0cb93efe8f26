using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OAuth;

namespace AkashML.Web.Accounts.External;

/// <summary>
/// GitHub: the id and name come from <c>/user</c>; the email is the verified primary address from <c>/user/emails</c>,
/// which also covers people whose address is private.
/// </summary>
internal static class GitHubClaims
{
    public static async Task AddAsync(OAuthCreatingTicketContext context, ExternalProviderOptions options)
    {
        var identity = context.Identity ?? throw new InvalidOperationException("The GitHub ticket has no identity.");
        var issuer = context.Options.ClaimsIssuer ?? context.Scheme.Name;
        using (var user = await ProviderApi.GetJsonAsync(context, options.UserInformationEndpoint))
        {
            var root = user.RootElement;
            var id = ProviderApi.GetString(root, "id") ?? throw new InvalidOperationException("GitHub's user API returned no id.");
            var login = ProviderApi.GetString(root, "login");
            ExternalProvider.AddClaim(identity, ClaimTypes.NameIdentifier, id, issuer);
            ExternalProvider.AddClaim(identity, ClaimTypes.Name, ProviderApi.GetString(root, "name") ?? login, issuer);
            ExternalProvider.AddClaim(identity, "urn:github:login", login, issuer);
        }

        var email = await FindVerifiedPrimaryEmailAsync(context, options);
        if (email is not null)
        {
            ExternalProvider.AddClaim(identity, ClaimTypes.Email, email, issuer);
            ExternalProvider.AddClaim(identity, ExternalProvider.EmailVerifiedClaim, "true", issuer);
        }
    }

    private static async Task<string?> FindVerifiedPrimaryEmailAsync(OAuthCreatingTicketContext context, ExternalProviderOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.EmailsEndpoint))
        {
            return null;
        }

        using var emails = await ProviderApi.GetJsonAsync(context, options.EmailsEndpoint);
        if (emails.RootElement.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var entry in emails.RootElement.EnumerateArray())
        {
            if (ProviderApi.GetString(entry, "primary") == "true" && ProviderApi.GetString(entry, "verified") == "true")
            {
                return ProviderApi.GetString(entry, "email");
            }
        }

        return null;
    }
}
