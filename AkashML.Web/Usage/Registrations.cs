namespace AkashML.Web.Usage;

public static class Registrations
{
    public static IServiceCollection AddUsageDashboard(this IServiceCollection services)
    {
        services.AddScoped<UsageQueries>();
        return services;
    }
}
