namespace AkashML.Web.Gateway;

public static class Registrations
{
    /// <summary>The in-process gateway (<see cref="InferenceGateway"/>); it uses the API's metering and usage services.</summary>
    public static IServiceCollection AddInferenceGateway(this IServiceCollection services)
    {
        services.AddSingleton<InferenceGateway>();
        return services;
    }
}
