namespace AkashML.Web.Accounts.External;

/// <summary>
/// One sign-in provider, bound from <c>Authentication:GitHub</c> or <c>Authentication:Google</c> and applied to the
/// provider's authentication handler. Empty endpoints keep the handler's (the real provider's); a provider without
/// <see cref="ClientId"/> is not offered at all.
/// </summary>
public sealed class ExternalProviderOptions
{
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public string? AuthorizationEndpoint { get; set; }

    public string? TokenEndpoint { get; set; }

    /// <summary>GitHub: <c>/user</c>. Google: the OpenID Connect userinfo endpoint.</summary>
    public string? UserInformationEndpoint { get; set; }

    /// <summary>GitHub only: <c>/user/emails</c>, where a private primary email and whether it is verified are found.</summary>
    public string? UserEmailsEndpoint { get; set; }

    /// <summary>Where the provider sends the browser back to (must match the provider's app registration).</summary>
    public string? CallbackPath { get; set; }

    public bool IsEnabled => !string.IsNullOrWhiteSpace(ClientId);
}
