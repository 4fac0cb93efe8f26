namespace AkashML.Web.Shell;

/// <summary>The dashboard frame: app bar balance and its change feed, theme, first-run steps.</summary>
public static class ShellRegistration
{
    public static IServiceCollection AddDashboardShell(this IServiceCollection services)
    {
        services.AddSingleton<AccountChanges>();
        services.AddScoped<BalanceReader>();
        services.AddScoped<SignedInUser>();
        return services;
    }

    public static IEndpointRouteBuilder MapDashboardShell(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapThemeEndpoint();
        return endpoints;
    }
}
