using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace AkashML.Web.Shell;

/// <summary>The person a dashboard component runs for, read from the circuit's (or request's) authentication state.</summary>
public sealed class SignedInUser(AuthenticationStateProvider authentication)
{
    public async Task<ClaimsPrincipal> GetPrincipalAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    /// <summary>The signed-in user's id; pages that call it require authorization, so its absence is a bug.</summary>
    public async Task<string> GetIdAsync() =>
        (await GetPrincipalAsync()).FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("The dashboard component runs without a signed-in user.");
}
