using AkashML.Inference.Serving;

namespace AkashML.Web.Backends;

/// <summary>
/// One backend as its pool sees it: health (active probes and passive ejection share the failure count), requests in
/// flight, drained or not, and its recent outcomes. Counts change under the pool's lock.
/// </summary>
public sealed class BackendState(IBackend backend, BackendEntryOptions entry, int index)
{
    public IBackend Backend { get; } = backend;

    public BackendEntryOptions Entry { get; } = entry;

    /// <summary>Position in the model's configuration list (its name on the admin page).</summary>
    public int Index { get; } = index;

    public string Kind => Backend.Kind;

    public string Target => Backend.Target;

    /// <summary>Starts healthy, so a fresh host serves before its first probe; failures take it out.</summary>
    public bool Healthy { get; internal set; } = true;

    /// <summary>Drained: no new requests; those in flight finish.</summary>
    public bool Drained { get; internal set; }

    public int InFlight { get; internal set; }

    /// <summary>Requests given a slot on this backend since start.</summary>
    public long Served { get; internal set; }

    /// <summary>Why it was last marked unhealthy, for the admin page.</summary>
    public string? LastError { get; internal set; }

    public DateTimeOffset? LastCheckedAt { get; internal set; }

    public LatencyWindow Recent { get; } = new();

    internal int ConsecutiveFailures { get; set; }

    internal int ConsecutiveSuccesses { get; set; }

    /// <summary>The model opened from the backend, once (kept so support checks stay synchronous).</summary>
    internal ITextModel? Model { get; set; }

    internal bool Routable => Entry.Enabled && Healthy && !Drained;

    internal double Load => InFlight / Entry.Weight;
}
