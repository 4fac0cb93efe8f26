namespace AkashML.Web.Accounts.External;

/// <summary>
/// One OAuth 2.0 sign-in provider, bound from <c>Authentication:GitHub</c> or <c>Authentication:Google</c>. Endpoints
/// default to the real provider's; a provider without <see cref="ClientId"/> is not offered at all.
/// </summary>
public sealed class ExternalProviderOptions
{
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public string AuthorizationEndpoint { get; set; } = "";

    public string TokenEndpoint { get; set; } = "";

    /// <summary>GitHub: <c>/user</c>. Google: the OpenID Connect userinfo endpoint.</summary>
    public string UserInformationEndpoint { get; set; } = "";

    /// <summary>GitHub only: <c>/user/emails</c>, where a private or verified primary email is found.</summary>
    public string? EmailsEndpoint { get; set; }

    /// <summary>Scopes to ask for; empty means the provider's defaults.</summary>
    public string[]? Scopes { get; set; }

    /// <summary>Where the provider sends the browser back to (must match the provider's app registration).</summary>
    public string CallbackPath { get; set; } = "";

    /// <summary>Send a PKCE code challenge (both providers support it).</summary>
    public bool UsePkce { get; set; } = true;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(ClientId);
}
