using Microsoft.Extensions.Options;

namespace AkashML.Web.Nodes;

public static class NodeRegistration
{
    /// <summary>The node protocol: its options (the shared secret, required for the inference role), the server's load counters and the client factory.</summary>
    public static IServiceCollection AddNodeProtocol(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NodeOptions>().Bind(configuration.GetSection(NodeOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        services.AddSingleton<NodeSecret>();
        services.AddSingleton<NodeLoad>();
        services.AddHttpClient(NodeBackendFactory.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<NodeBackendFactory>();
        services.AddSingleton<Backends.IBackendFactory>(provider => provider.GetRequiredService<NodeBackendFactory>());
        return services;
    }
}
