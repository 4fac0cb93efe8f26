using System.Net.Http.Headers;
using System.Security.Claims;
using AspNet.Security.OAuth.GitHub;
using Microsoft.AspNetCore.Authentication.OAuth;

namespace AkashML.Web.Accounts.External;

/// <summary>
/// Marks GitHub's email claim as verified when GitHub lists that address as verified. The handler takes the public
/// profile address or the primary one from <c>/user/emails</c> without looking at <c>verified</c>, and accounts are only
/// linked or created from an address the provider vouches for.
/// </summary>
internal static class GitHubVerifiedEmail
{
    public static async Task MarkAsync(OAuthCreatingTicketContext context)
    {
        var identity = context.Identity ?? throw new InvalidOperationException("The GitHub ticket has no identity.");
        var email = identity.FindFirst(ClaimTypes.Email)?.Value;
        if (string.IsNullOrWhiteSpace(email))
        {
            return;
        }

        var options = (GitHubAuthenticationOptions)context.Options;
        using var request = new HttpRequestMessage(HttpMethod.Get, options.UserEmailsEndpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.AccessToken);
        using var response = await context.Backchannel.SendAsync(request, context.HttpContext.RequestAborted);
        response.EnsureSuccessStatusCode();
        var emails = await response.Content.ReadFromJsonAsync<GitHubEmail[]>(context.HttpContext.RequestAborted) ?? [];
        if (emails.Any(e => e.Verified && string.Equals(e.Email, email, StringComparison.OrdinalIgnoreCase)))
        {
            identity.AddClaim(new Claim(ExternalProvider.EmailVerifiedClaim, "true", ClaimValueTypes.String, options.ClaimsIssuer ?? context.Scheme.Name));
        }
    }

    /// <summary>One entry of GitHub's <c>/user/emails</c> list.</summary>
    private sealed record GitHubEmail(string? Email, bool Verified);
}
