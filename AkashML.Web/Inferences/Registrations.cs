using AkashML.Web.Usage;
namespace AkashML.Web.Inferences;

public static class Registrations
{
    public static IServiceCollection AddInferenceRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InferenceRetentionOptions>().Bind(configuration.GetSection(InferenceRetentionOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMemoryCache();
        services.AddSingleton<InferenceRetentionSettings>();
        services.AddSingleton<InferenceQueries>();
        services.AddSingleton<InferencePayloadPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<InferencePayloadPurger>());
        return services;
    }
}
