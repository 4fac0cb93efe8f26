using Microsoft.Extensions.Options;

namespace AkashML.Web.Backends;

public static class Registrations
{
    /// <summary>
    /// Backend pools per model (<c>Backends</c> section, validated at start), the <c>local</c> and <c>openai</c> kinds,
    /// the health checker, and the drain state shared through the database. Another kind registers its own <see cref="IBackendFactory"/>.
    /// </summary>
    public static IServiceCollection AddBackends(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BackendsOptions>().Bind(configuration.GetSection(BackendsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackendsOptions>, BackendsOptionsValidator>();
        services.AddHttpClient(OpenAiBackend.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<IBackendFactory, LocalBackendFactory>();
        services.AddSingleton<IBackendFactory, OpenAiBackendFactory>();
        services.AddSingleton<PromptTemplates>();
        services.AddSingleton<BackendRouter>();
        services.AddHostedService<BackendHealthChecker>();
        services.AddSingleton<BackendDrains>();
        services.AddHostedService<BackendDrainSync>();
        return services;
    }
}
