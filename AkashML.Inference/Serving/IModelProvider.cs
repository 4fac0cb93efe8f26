using AkashML.Inference.Catalog;

namespace AkashML.Inference.Serving;

/// <summary>The models this host can serve, loaded on demand.</summary>
public interface IModelProvider
{
    IReadOnlyList<ModelDescriptor> List();

    /// <summary>A model by id (or null). Ids may use <c>--</c> in place of <c>/</c>.</summary>
    ModelDescriptor? Find(string id);

    /// <summary>The loaded model; throws <see cref="ModelUnavailableException"/> when it cannot be loaded.</summary>
    ValueTask<ITextModel> GetAsync(string id, CancellationToken cancellationToken);
}

/// <summary>The model exists but cannot serve now (load failure, runtime missing).</summary>
public sealed class ModelUnavailableException(string modelId, string reason, Exception? inner = null)
    : Exception($"model '{modelId}' is unavailable: {reason}", inner)
{
    public string ModelId { get; } = modelId;
}
