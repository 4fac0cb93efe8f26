using AkashML.Web.Gateway;

namespace AkashML.Web.Playground;

public static class Registrations
{
    public static IServiceCollection AddPlayground(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<PlaygroundKeys>();
        services.AddInferenceGateway();
        services.AddSingleton<PlaygroundChat>();
        return services;
    }
}
