using AkashML.Inference.Building.TinyRandom;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AkashML.Inference.Catalog;

/// <summary>
/// Makes sure a fresh install has a model: when the catalog is empty, builds the offline smoke-test model
/// <c>akashml/tiny-random</c> into the models directory once (later starts reuse it).
/// </summary>
public sealed class DefaultModelBootstrapper(ModelCatalog catalog, IOptions<ModelCatalogOptions> options, ILogger<DefaultModelBootstrapper> logger)
{
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.BuildTinyRandomWhenEmpty || catalog.List().Count > 0)
        {
            return;
        }

        var folder = Path.Combine(catalog.ModelsDirectory, TinyRandomModel.Id.Replace('/', Path.DirectorySeparatorChar));
        if (TinyRandomModel.IsBuilt(folder))
        {
            return;
        }

        logger.LogInformation("No model configured: building the smoke-test model {Model} into {Folder}", TinyRandomModel.Id, folder);
        var result = await TinyRandomModel.BuildAsync(folder, cancellationToken);
        logger.LogInformation("Built {Model} ({Bytes} bytes) in {Elapsed} ms", TinyRandomModel.Id, result.TotalBytes, (int)result.Elapsed.TotalMilliseconds);
        catalog.Invalidate();
    }
}
