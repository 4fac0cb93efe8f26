using System.Diagnostics.Metrics;
using AkashML.Inference.Runtime.Caching;
using AkashML.Inference.Serving;
using AkashML.Inference.Serving.Batching;
using AkashML.Web.Backends;

namespace AkashML.Web.Gateway;

/// <summary>
/// Meter <c>AkashML.Inference</c>: what the gateway served, per model (recorded once per call when it settles, see
/// <see cref="GatewayCall"/>), and the live load of the models (their batch schedulers) and of their backend pools
/// (health, drain, in flight, served), read only when scraped.
/// </summary>
/// <remarks>
/// The per-call path adds a few counter and histogram updates with stack-held tags: no allocation beyond them, no lock.
/// </remarks>
public sealed class InferenceMetrics
{
    public const string MeterName = "AkashML.Inference";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _completionTokens;
    private readonly Counter<long> _cachedPromptTokens;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _interTokenLatency;
    private readonly UpDownCounter<long> _inFlight;

    public InferenceMetrics(IMeterFactory meters, ModelHost models, BackendRouter backends)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("akashml.requests", "{request}", "Inference calls settled by the gateway, by model, surface and status");
        _promptTokens = meter.CreateCounter<long>("akashml.prompt_tokens", "{token}", "Prompt tokens of settled calls");
        _cachedPromptTokens = meter.CreateCounter<long>("akashml.cached_prompt_tokens", "{token}", "Prompt tokens of settled calls reused from the model's prefix cache");
        _completionTokens = meter.CreateCounter<long>("akashml.completion_tokens", "{token}", "Completion tokens produced by settled calls");
        _timeToFirstToken = meter.CreateHistogram<double>("akashml.time_to_first_token", "s", "From the call's start to its first generated token");
        _interTokenLatency = meter.CreateHistogram<double>("akashml.inter_token_latency", "s", "Mean time between a call's generated tokens after the first, per choice stream");
        _inFlight = meter.CreateUpDownCounter<long>("akashml.in_flight", "{request}", "Calls whose model is resolved and that have not settled yet");
        meter.CreateObservableGauge("akashml.batch.queue_depth", () => Loads(models, l => l.Waiting), "{sequence}", "Sequences waiting for a KV slot of the model's batch scheduler");
        meter.CreateObservableGauge("akashml.batch.size", () => Loads(models, l => l.BatchSize), "{sequence}", "Sequences in the model's shared decode step");
        meter.CreateObservableGauge("akashml.batch.kv_slots_in_use", () => Loads(models, l => l.SlotsInUse), "{slot}", "KV slots taken in the model's batch scheduler");
        meter.CreateObservableGauge("akashml.batch.kv_slots", () => Loads(models, l => l.Slots), "{slot}", "KV slots of the model's batch scheduler");
        meter.CreateObservableGauge("akashml.prefix_cache.bytes", () => PrefixCaches(models, s => s.Bytes), "By", "KV bytes the model's prefix cache holds");
        meter.CreateObservableGauge("akashml.prefix_cache.blocks", () => PrefixCaches(models, s => s.Blocks), "{block}", "Blocks the model's prefix cache holds");
        meter.CreateObservableGauge("akashml.model.loaded", () => Health(models), "{model}", "Per model and engine: 1 while loaded and serving, 0 while not loaded (yet, or it failed to load)");
        meter.CreateObservableGauge("akashml.backend.healthy", () => Backends(backends, b => b.Healthy ? 1 : 0), "{backend}", "Per model and backend: 1 while its health checks pass, 0 once marked down");
        meter.CreateObservableGauge("akashml.backend.drained", () => Backends(backends, b => b.Drained ? 1 : 0), "{backend}", "Per model and backend: 1 while an administrator has drained it");
        meter.CreateObservableGauge("akashml.backend.in_flight", () => Backends(backends, b => b.InFlight), "{request}", "Per model and backend: requests it is serving now");
        meter.CreateObservableCounter("akashml.backend.served", () => Backends(backends, b => b.Served), "{request}", "Per model and backend: requests it has served since this process started");
    }

    /// <summary>A call's model is known: it counts as in flight until <see cref="Settled"/>.</summary>
    public void Started(string model) => _inFlight.Add(1, new KeyValuePair<string, object?>("model", model));

    /// <summary>
    /// A settled call: <paramref name="started"/> says whether <see cref="Started"/> counted it; calls refused before
    /// their model was known count under the model <c>none</c>.
    /// </summary>
    public void Settled(GatewayOutcome outcome, ApiSurface surface, bool started, TimeSpan? interTokenLatency)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var model = new KeyValuePair<string, object?>("model", outcome.Model ?? "none");
        if (started)
        {
            _inFlight.Add(-1, model);
        }

        _requests.Add(1, model, new KeyValuePair<string, object?>("surface", SurfaceTag(surface)), new KeyValuePair<string, object?>("status", outcome.Status));
        if (outcome.PromptTokens > 0)
        {
            _promptTokens.Add(outcome.PromptTokens, model);
        }

        if (outcome.CachedPromptTokens > 0)
        {
            _cachedPromptTokens.Add(outcome.CachedPromptTokens, model);
        }

        if (outcome.CompletionTokens > 0)
        {
            _completionTokens.Add(outcome.CompletionTokens, model);
        }

        if (outcome.TimeToFirstTokenMs is { } ttft)
        {
            _timeToFirstToken.Record(ttft / 1000.0, model);
        }

        if (interTokenLatency is { } itl)
        {
            _interTokenLatency.Record(itl.TotalSeconds, model);
        }
    }

    private static string SurfaceTag(ApiSurface surface) => surface switch
    {
        ApiSurface.Anthropic => "anthropic",
        ApiSurface.Playground => "playground",
        _ => "openai",
    };

    private static IEnumerable<Measurement<int>> Loads(ModelHost models, Func<BatchingLoad, int> read)
    {
        foreach (var model in models.Loaded())
        {
            if (model is TextModel { BatchLoad: { } load })
            {
                yield return new Measurement<int>(read(load), new KeyValuePair<string, object?>("model", model.Descriptor.Id));
            }
        }
    }

    private static IEnumerable<Measurement<long>> PrefixCaches(ModelHost models, Func<PrefixCacheStatistics, long> read)
    {
        foreach (var model in models.Loaded())
        {
            if (model is TextModel { PrefixCaching: { } statistics })
            {
                yield return new Measurement<long>(read(statistics), new KeyValuePair<string, object?>("model", model.Descriptor.Id));
            }
        }
    }

    private static IEnumerable<Measurement<T>> Backends<T>(BackendRouter router, Func<BackendState, T> read)
        where T : struct
    {
        foreach (var pool in router.Pools)
        {
            foreach (var backend in pool.Backends)
            {
                yield return new Measurement<T>(read(backend),
                    new KeyValuePair<string, object?>("model", pool.ModelId),
                    new KeyValuePair<string, object?>("backend", backend.Index),
                    new KeyValuePair<string, object?>("kind", backend.Kind),
                    new KeyValuePair<string, object?>("target", backend.Target));
            }
        }
    }

    private static IEnumerable<Measurement<int>> Health(ModelHost models)
    {
        var loaded = models.Loaded().Select(m => m.Descriptor.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var descriptor in models.List())
        {
            yield return new Measurement<int>(loaded.Contains(descriptor.Id) ? 1 : 0,
                new KeyValuePair<string, object?>("model", descriptor.Id), new KeyValuePair<string, object?>("engine", descriptor.Engine));
        }
    }
}
