namespace AkashML.Web.Inferences;

public static class Registrations
{
    public static IServiceCollection AddInferenceRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InferenceOptions>().Bind(configuration.GetSection(InferenceOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMemoryCache();
        services.AddSingleton<InferenceRetentionSettings>();
        services.AddSingleton<InferenceQueries>();
        services.AddSingleton<InferencePayloadPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<InferencePayloadPurger>());
        return services;
    }
}
