namespace AkashML.Web.Playground;

public static class Registrations
{
    /// <summary>The playground's in-process chat; it runs through the gateway (<c>AddInferenceGateway</c>) as the user's hidden key.</summary>
    public static IServiceCollection AddPlayground(this IServiceCollection services)
    {
        services.AddSingleton<PlaygroundChat>();
        return services;
    }
}
