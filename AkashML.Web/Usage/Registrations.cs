namespace AkashML.Web.Usage;

public static class Registrations
{
    public static IServiceCollection AddUsageDashboard(this IServiceCollection services)
    {
        // Singletons: each call reads through its own scope (a circuit's components query concurrently).
        services.AddSingleton<UsageQueries>();
        services.AddSingleton<OverviewQueries>();
        services.AddScoped<OnboardingProgress>();
        return services;
    }
}
