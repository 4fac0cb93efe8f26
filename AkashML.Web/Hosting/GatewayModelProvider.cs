using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;

namespace AkashML.Web.Hosting;

/// <summary>
/// The models of a gateway-role process: the catalog is read (ids, prices, tokenizers and chat templates), but no
/// model is ever loaded here; generation belongs to the backends that serve each model.
/// </summary>
public sealed class GatewayModelProvider(ModelHost catalog) : IModelProvider
{
    public IReadOnlyList<ModelDescriptor> List() => catalog.List();

    public ModelDescriptor? Find(string id) => catalog.Find(id);

    public ValueTask<ITextModel> GetAsync(string id, CancellationToken cancellationToken)
    {
        var descriptor = Find(id) ?? throw new ModelUnavailableException(id, "it is not in the catalog");
        throw new ModelUnavailableException(descriptor.Id, "this process runs the gateway role and loads no models; no backend serves it");
    }
}
