namespace AkashML.Web.Keys;

public static class Registrations
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiKeyOptions>().Bind(configuration.GetSection(ApiKeyOptions.SectionName)).ValidateOnStart();
        services.AddMemoryCache();
        services.AddSingleton<ApiKeyHasher>();
        services.AddScoped<ApiKeyService>();
        return services;
    }
}
