using AkashML.Web.Shell;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AkashML.Web.Presets;

public static class Registrations
{
    public static IServiceCollection AddPresets(this IServiceCollection services)
    {
        services.AddScoped<PresetService>();
        services.TryAddSingleton(typeof(FreshScope<>));
        return services;
    }
}
