using AkashML.Web.Usage;

namespace AkashML.Web.Gateway;

public static class Registrations
{
    /// <summary>The gateway step (<see cref="InferenceGateway"/>) and what it settles with: credits, usage records, preset defaults.</summary>
    public static IServiceCollection AddInferenceGateway(this IServiceCollection services)
    {
        services.AddSingleton<UsageWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<UsageWriter>());
        services.AddSingleton<UsageRecorder>();
        services.AddSingleton<CreditMetering>();
        services.AddSingleton<UnsettledCharges>();
        services.AddHostedService(provider => provider.GetRequiredService<UnsettledCharges>());
        services.AddSingleton<PresetDefaults>();
        services.AddSingleton<InferenceGateway>();
        return services;
    }
}
