using System.Collections.Concurrent;
using AkashML.Inference.Catalog;
using AkashML.Inference.Native;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tokenizers;
using AkashML.Inference.ChatTemplates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AkashML.Inference.Serving;

/// <summary>
/// Serves the catalog's models: loads each on first use and keeps it. A model that fails to load reports why, and the
/// failure never affects other models; the next request tries again.
/// </summary>
public sealed class ModelHost(ModelCatalog catalog, IOptions<InferenceOptions> options, ILogger<ModelHost> logger) : IModelProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TextModel>>> _loaded = new(StringComparer.Ordinal);

    public IReadOnlyList<ModelDescriptor> List() => catalog.List();

    public ModelDescriptor? Find(string id) => catalog.Find(id);

    public async ValueTask<ITextModel> GetAsync(string id, CancellationToken cancellationToken)
    {
        var descriptor = catalog.Find(id) ?? throw new ModelUnavailableException(id, "it is not in the catalog");
        var lazy = _loaded.GetOrAdd(descriptor.Id, _ => new Lazy<Task<TextModel>>(() => Task.Run(() => Load(descriptor), CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ModelUnavailableException)
        {
            _loaded.TryRemove(new KeyValuePair<string, Lazy<Task<TextModel>>>(descriptor.Id, lazy));
            throw new ModelUnavailableException(descriptor.Id, ex.Message, ex);
        }
        catch (ModelUnavailableException)
        {
            _loaded.TryRemove(new KeyValuePair<string, Lazy<Task<TextModel>>>(descriptor.Id, lazy));
            throw;
        }
    }

    /// <summary>Ids of models currently loaded (for readiness and the admin view).</summary>
    public IReadOnlyList<string> LoadedModels =>
        _loaded.Where(p => p.Value.IsValueCreated && p.Value.Value.IsCompletedSuccessfully).Select(p => p.Key).ToList();

    public void Dispose()
    {
        foreach (var entry in _loaded.Values)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
            {
                entry.Value.Result.Dispose();
            }
        }
    }

    private TextModel Load(ModelDescriptor descriptor)
    {
        var settings = options.Value;
        if (!OnnxRuntimeLibrary.IsSupported)
        {
            throw new ModelUnavailableException(descriptor.Id, OnnxRuntimeLibrary.NotSupportedReason ?? "ONNX Runtime is not available");
        }

        var provider = settings.ModelExecutionProviders.TryGetValue(descriptor.Id, out var specific) ? specific : settings.ExecutionProvider;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var model = TextModel.Load(descriptor, new ModelOptions
            {
                ExecutionProvider = provider,
                IntraOpThreads = settings.IntraOpThreads,
                InterOpThreads = settings.InterOpThreads,
            }, settings.MaxConcurrentRequestsPerModel, settings.MaxBatchSize, settings.PrefillChunkTokens);
            logger.LogInformation("Loaded model {Model} on {Provider} in {Elapsed} ms; batch slots: {BatchSlots} (0 = every request on its own generator)", descriptor.Id, provider,
                (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, model.Batching is null ? 0 : settings.MaxBatchSize);
            return model;
        }
        catch (Exception ex) when (ex is ModelLoadException or ModelConfigException or TokenizerFormatException or TemplateException or IOException)
        {
            logger.LogError("Model {Model} failed to load: {Reason}", descriptor.Id, ex.Message);
            throw new ModelUnavailableException(descriptor.Id, ex.Message, ex);
        }
    }
}
