using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Backends;

/// <summary>
/// The pools of the models that have <c>Backends:Models</c> entries, built once at start. A model without an entry is
/// served by this process directly, exactly as before routing existed.
/// </summary>
public sealed class BackendRouter
{
    private readonly IModelProvider _models;
    private readonly PromptTemplates _templates;
    private readonly ILogger<BackendRouter> _logger;
    private readonly Dictionary<string, BackendPool> _pools;

    public BackendRouter(IOptions<BackendsOptions> options, IEnumerable<IBackendFactory> factories, IModelProvider models, PromptTemplates templates, ILogger<BackendRouter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _models = models;
        _templates = templates;
        _logger = logger;
        var settings = options.Value;
        var byKind = factories.ToDictionary(f => f.Kind, StringComparer.Ordinal);
        _pools = settings.Models.ToDictionary(
            pair => pair.Key,
            pair => new BackendPool(pair.Key, pair.Value.Select((entry, i) => (entry, i)).Where(e => IsValid(byKind, e.entry))
                .Select(e => new BackendState(byKind[e.entry.Kind].Create(pair.Key, e.entry), e.entry, e.i)).ToList(), settings),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// An entry that fails validation is left out rather than thrown on here: the router may be built before the
    /// options are validated at start, and that validation reports every problem at once.
    /// </summary>
    private static bool IsValid(Dictionary<string, IBackendFactory> byKind, BackendEntryOptions entry) =>
        byKind.TryGetValue(entry.Kind, out var factory) && !factory.Validate(entry).Any();

    public IReadOnlyCollection<BackendPool> Pools => _pools.Values;

    public BackendPool? Find(string modelId) => _pools.GetValueOrDefault(modelId);

    /// <summary>
    /// The model to serve <paramref name="descriptor"/> with: the local one, or a <see cref="RoutedModel"/> whose
    /// backends are opened here (one that cannot open is left to its health checks and to retries).
    /// </summary>
    public async ValueTask<ITextModel> GetAsync(ModelDescriptor descriptor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (Find(descriptor.Id) is not { } pool)
        {
            return await _models.GetAsync(descriptor.Id, cancellationToken);
        }

        var template = _templates.TemplateFor(descriptor);

        foreach (var backend in pool.Backends)
        {
            if (backend.Entry.Enabled && backend.Model is null)
            {
                try
                {
                    backend.Model = await backend.Backend.OpenAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogWarning(ex, "Backend {Index} ({Kind} {Target}) of {Model} could not be opened", backend.Index, backend.Kind, backend.Target, descriptor.Id);
                }
            }
        }

        return new RoutedModel(pool, template);
    }
}
