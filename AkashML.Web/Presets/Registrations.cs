namespace AkashML.Web.Presets;

public static class Registrations
{
    public static IServiceCollection AddPresets(this IServiceCollection services)
    {
        services.AddScoped<PresetService>();
        services.AddScoped<PresetResolver>();
        return services;
    }
}
