using AkashML.Inference.Catalog;
using AkashML.Inference.Native;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AkashML.Inference.Serving;

public static class Registrations
{
    /// <summary>
    /// Registers the model catalog (models directory <paramref name="modelsDirectory"/>), the model host and the ONNX
    /// Runtime library setting.
    /// </summary>
    public static IServiceCollection AddAkashMLInference(this IServiceCollection services, IConfiguration configuration, string modelsDirectory)
    {
        services.AddOptions<ModelCatalogOptions>().Bind(configuration.GetSection(ModelCatalogOptions.SectionName)).ValidateOnStart();
        services.AddOptions<InferenceOptions>().Bind(configuration.GetSection(InferenceOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(new ModelDirectory(Path.GetFullPath(modelsDirectory)));
        services.TryAddTimeProvider();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<DefaultModelBootstrapper>();
        services.AddSingleton<ModelHost>(sp =>
        {
            var inference = sp.GetRequiredService<IOptions<InferenceOptions>>().Value;
            if (inference.OnnxRuntimePath.Length > 0)
            {
                OnnxRuntimeLibrary.Configure(inference.OnnxRuntimePath);
            }

            return ActivatorUtilities.CreateInstance<ModelHost>(sp);
        });
        services.AddSingleton<IModelProvider>(sp => sp.GetRequiredService<ModelHost>());
        return services;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
