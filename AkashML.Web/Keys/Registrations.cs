using AkashML.Web.Shell;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AkashML.Web.Keys;

public static class Registrations
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiKeyOptions>().Bind(configuration.GetSection(ApiKeyOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMemoryCache();
        services.AddSingleton<ApiKeyHasher>();
        services.AddScoped<ApiKeyService>();
        services.AddSingleton<PlaygroundKeys>();
        services.TryAddSingleton(typeof(FreshScope<>));
        return services;
    }
}
