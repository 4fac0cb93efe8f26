using Microsoft.AspNetCore.Components.Authorization;

namespace AkashML.Web.Components.Account;

public static class IdentityComponentsRegistration
{
    /// <summary>What the dashboard's components need of sign-in: the authentication state, revalidated, and redirects.</summary>
    public static IServiceCollection AddIdentityComponents(this IServiceCollection services)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        return services;
    }
}
