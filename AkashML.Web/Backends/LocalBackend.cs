using AkashML.Inference.Serving;

namespace AkashML.Web.Backends;

/// <summary>This process's own runtime: healthy when the model is loaded or loads.</summary>
public sealed class LocalBackend(IModelProvider models, string modelId) : IBackend
{
    public const string KindName = "local";

    public string Kind => KindName;

    public string Target => "this process";

    public ValueTask<ITextModel> OpenAsync(CancellationToken cancellationToken) => models.GetAsync(modelId, cancellationToken);

    public async Task ProbeAsync(CancellationToken cancellationToken) => await models.GetAsync(modelId, cancellationToken);
}

/// <summary>Makes <see cref="LocalBackend"/>s; a local entry needs nothing but its kind.</summary>
public sealed class LocalBackendFactory(IModelProvider models) : IBackendFactory
{
    public string Kind => LocalBackend.KindName;

    public IEnumerable<string> Validate(BackendEntryOptions entry) => [];

    public IBackend Create(string modelId, BackendEntryOptions entry) => new LocalBackend(models, modelId);
}
