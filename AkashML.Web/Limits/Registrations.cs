using AkashML.Data.Limits;

namespace AkashML.Web.Limits;

public static class Registrations
{
    /// <summary>Where the lease duration was set before Limits had its own section (the API keys' section).</summary>
    private const string FormerSectionName = "Keys";

    /// <summary>The per-key limits: options (validated at start), the counters for the configured database, the limiter.</summary>
    public static IServiceCollection AddKeyLimits(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LimitOptions>()
            // A lease duration still set in its former place counts unless Limits names one.
            .Bind(configuration.GetSection(FormerSectionName))
            .Bind(configuration.GetSection(LimitOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddAkashMLLimitCounters(configuration.GetConnectionString("Postgres"));
        services.AddSingleton<KeyLimiter>();
        services.AddSingleton<GatewayMetrics>();
        services.AddHostedService<LeaseRenewalService>();
        return services;
    }
}
