namespace AkashML.Web.Shell;

/// <summary>The dashboard frame: header balance, theme, first-run steps.</summary>
public static class ShellRegistration
{
    public static IServiceCollection AddDashboardShell(this IServiceCollection services)
    {
        services.AddScoped<BalanceReader>();
        services.AddScoped<OnboardingProgress>();
        return services;
    }

    public static IEndpointRouteBuilder MapDashboardShell(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapThemeEndpoint();
        return endpoints;
    }
}
