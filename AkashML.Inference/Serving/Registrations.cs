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
    /// Runtime library. The library setting (<c>Inference:OnnxRuntimePath</c>, <c>Inference:OnnxRuntimeTelemetry</c>) is
    /// applied here, before any service exists, because whatever touches ORT first (a readiness probe, the dashboard,
    /// a CLI verb) loads it for the whole process.
    /// </summary>
    public static IServiceCollection AddAkashMLInference(this IServiceCollection services, IConfiguration configuration, string modelsDirectory)
    {
        var section = configuration.GetSection(InferenceOptions.SectionName);
        var library = section.Get<InferenceOptions>() ?? new InferenceOptions();
        OnnxRuntimeLibrary.Configure(library.OnnxRuntimePath, library.OnnxRuntimeTelemetry);

        services.AddOptions<ModelCatalogOptions>().Bind(configuration.GetSection(ModelCatalogOptions.SectionName)).ValidateOnStart();
        services.AddOptions<InferenceOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>();
        services.AddSingleton(new ModelDirectory(Path.GetFullPath(modelsDirectory)));
        services.TryAddTimeProvider();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<DefaultModelBootstrapper>();
        services.AddSingleton<ModelHost>();
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
