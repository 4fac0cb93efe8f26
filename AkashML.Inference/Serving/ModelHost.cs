using System.Collections.Concurrent;
using AkashML.Inference.Catalog;
using AkashML.Inference.Native;
using AkashML.Inference.Official;
using AkashML.Inference.Runtime;
using AkashML.Inference.Tokenizers;
using AkashML.Inference.ChatTemplates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AkashML.Inference.Serving;

/// <summary>
/// Serves the catalog's models: loads each on first use and keeps it. A model that fails to load reports why, and the
/// failure never affects other models; the next request tries again. A model whose architecture our runtime does not
/// implement is served by the official ONNX Runtime GenAI instead (logged, and named in the descriptor's engine).
/// </summary>
public sealed class ModelHost(ModelCatalog catalog, IOptions<InferenceOptions> options, ILogger<ModelHost> logger) : IModelProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ITextModel>>> _loaded = new(StringComparer.Ordinal);

    /// <summary>Engines learnt at load time (a graph the config did not give away), by model id.</summary>
    private readonly ConcurrentDictionary<string, (string Engine, string? Reason)> _engines = new(StringComparer.Ordinal);

    public IReadOnlyList<ModelDescriptor> List() => catalog.List().Select(WithEngine).ToList();

    public ModelDescriptor? Find(string id) => catalog.Find(id) is { } descriptor ? WithEngine(descriptor) : null;

    public async ValueTask<ITextModel> GetAsync(string id, CancellationToken cancellationToken)
    {
        var descriptor = Find(id) ?? throw new ModelUnavailableException(id, "it is not in the catalog");
        var lazy = _loaded.GetOrAdd(descriptor.Id, _ => new Lazy<Task<ITextModel>>(() => Task.Run(() => Load(descriptor), CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ModelUnavailableException)
        {
            _loaded.TryRemove(new KeyValuePair<string, Lazy<Task<ITextModel>>>(descriptor.Id, lazy));
            throw new ModelUnavailableException(descriptor.Id, ex.Message, ex);
        }
        catch (ModelUnavailableException)
        {
            _loaded.TryRemove(new KeyValuePair<string, Lazy<Task<ITextModel>>>(descriptor.Id, lazy));
            throw;
        }
    }

    /// <summary>Ids of models currently loaded (for readiness and the admin view).</summary>
    public IReadOnlyList<string> LoadedModels =>
        _loaded.Where(p => p.Value.IsValueCreated && p.Value.Value.IsCompletedSuccessfully).Select(p => p.Key).ToList();

    /// <summary>The models loaded now, for metrics read at scrape time.</summary>
    public IEnumerable<ITextModel> Loaded() =>
        _loaded.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully).Select(l => l.Value.Result);

    public void Dispose()
    {
        foreach (var entry in _loaded.Values)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully && entry.Value.Result is IDisposable model)
            {
                model.Dispose();
            }
        }
    }

    private ModelDescriptor WithEngine(ModelDescriptor descriptor) =>
        _engines.TryGetValue(descriptor.Id, out var learnt) ? descriptor with { Engine = learnt.Engine, EngineReason = learnt.Reason } : descriptor;

    private ITextModel Load(ModelDescriptor descriptor)
    {
        var settings = options.Value;
        if (!OnnxRuntimeLibrary.IsSupported)
        {
            throw new ModelUnavailableException(descriptor.Id, OnnxRuntimeLibrary.NotSupportedReason ?? "ONNX Runtime is not available");
        }

        var modelOptions = settings.ModelOptionsFor(descriptor.Id);
        var provider = modelOptions.ExecutionProvider;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (descriptor.Engine == ModelEngines.OnnxRuntimeGenAI)
            {
                return LoadOfficial(descriptor, modelOptions, descriptor.EngineReason ?? "the catalog chose it", started);
            }

            try
            {
                var model = TextModel.Load(descriptor, modelOptions, settings.MaxConcurrentRequestsPerModel, settings.MaxBatchSize, settings.PrefillChunkTokens, settings.PrefixCache);
                logger.LogInformation("Loaded model {Model} on {Provider} in {Elapsed} ms; batch slots: {BatchSlots} (0 = every request on its own generator)", descriptor.Id, provider,
                    (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, model.Batching is null ? 0 : settings.MaxBatchSize);
                return model;
            }
            catch (UnsupportedArchitectureException ex)
            {
                OfficialTextModel official;
                try
                {
                    official = LoadOfficial(descriptor with { Engine = ModelEngines.OnnxRuntimeGenAI, EngineReason = ex.Message }, modelOptions, ex.Message, started);
                }
                catch (ModelLoadException officialError)
                {
                    // Often a broken folder rather than a new architecture: report our reason first.
                    throw new ModelLoadException($"{ex.Message} The official ONNX Runtime GenAI could not load it either: {officialError.Message}", officialError);
                }

                _engines[descriptor.Id] = (ModelEngines.OnnxRuntimeGenAI, ex.Message);
                return official;
            }
        }
        catch (Exception ex) when (ex is ModelLoadException or ModelConfigException or TokenizerFormatException or TemplateException or IOException)
        {
            logger.LogError("Model {Model} failed to load: {Reason}", descriptor.Id, ex.Message);
            throw new ModelUnavailableException(descriptor.Id, ex.Message, ex);
        }
    }

    private OfficialTextModel LoadOfficial(ModelDescriptor descriptor, ModelOptions modelOptions, string reason, long started)
    {
        logger.LogWarning("Model {Model} needs what our runtime does not implement ({Reason}); serving it with the official ONNX Runtime GenAI engine: no batching, log-probabilities, logit_bias, penalties other than repetition, min_p, JSON mode or best_of", descriptor.Id, reason);
        var model = OfficialTextModel.Load(descriptor, modelOptions, options.Value.MaxConcurrentRequestsPerModel);
        logger.LogInformation("Loaded model {Model} with the official ONNX Runtime GenAI engine on {Provider} in {Elapsed} ms", descriptor.Id, modelOptions.ExecutionProvider,
            (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return model;
    }
}
