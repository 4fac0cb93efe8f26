using System.Diagnostics;
using System.Globalization;

namespace AkashML.Web.Backends;

/// <summary>
/// The backends of one model and the requests waiting for them. A request takes a slot on the routable (enabled,
/// healthy, undrained) backend with the fewest outstanding requests per unit of weight; when every routable backend
/// is at its <see cref="BackendEntryOptions.MaxInFlight"/>, it waits in a bounded queue (the sum of those backends'
/// <see cref="BackendEntryOptions.MaxQueue"/>, at most <see cref="BackendsOptions.MaxQueuePerModel"/>) and is
/// answered 529 at once when that is full. No enabled backend is 504; none routable is 529.
/// </summary>
public sealed class BackendPool
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource<BackendState>> _waiters = new();
    private readonly BackendsOptions _options;

    public BackendPool(string modelId, IReadOnlyList<BackendState> backends, BackendsOptions options)
    {
        ModelId = modelId;
        Backends = backends;
        _options = options;
    }

    public string ModelId { get; }

    public IReadOnlyList<BackendState> Backends { get; }

    /// <summary>Requests waiting for a slot now.</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Raised after a backend's health, drain state or load changed (for live views).</summary>
    public event Action? Changed;

    private string RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(_options.HealthCheck.Interval.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>A slot on a backend, waiting in the bounded queue when all are busy; throws 504 or 529 as described above.</summary>
    public async Task<BackendLease> AcquireAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        LinkedListNode<TaskCompletionSource<BackendState>> node;
        lock (_lock)
        {
            if (!Backends.Any(b => b.Entry.Enabled))
            {
                throw NoBackend();
            }

            if (PickLocked(exclude: null) is { } free)
            {
                Take(free);
                return new BackendLease(this, free, 0);
            }

            var routable = Backends.Where(b => b.Routable).ToList();
            if (routable.Count == 0)
            {
                throw NoHealthyBackend();
            }

            var capacity = Math.Min(_options.MaxQueuePerModel, routable.Sum(b => b.Entry.MaxQueue));
            if (_waiters.Count >= capacity)
            {
                throw QueueFull(_waiters.Count);
            }

            node = _waiters.AddLast(new TaskCompletionSource<BackendState>(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        using var registration = cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                    node.Value.TrySetCanceled(cancellationToken);
                }
            }
        });
        var state = await node.Value.Task;
        return new BackendLease(this, state, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Stops sending new requests to a backend; those in flight finish.</summary>
    public void Drain(int index) => Update(Backend(index), b => b.Drained = true);

    public void Undrain(int index) => Update(Backend(index), b => b.Drained = false);

    /// <summary>A backend by its position in the model's configuration list.</summary>
    public BackendState Backend(int index) =>
        Backends.FirstOrDefault(b => b.Index == index) ?? throw new ArgumentOutOfRangeException(nameof(index), index, $"The model '{ModelId}' has no backend {index}.");

    /// <summary>Another slot for a request whose backend failed before sending anything (no waiting: the request already waited once).</summary>
    internal BackendState Reroute(BackendState failed, IReadOnlyCollection<BackendState> tried)
    {
        lock (_lock)
        {
            Release(failed, dispatch: true);
            if (PickLocked(tried) is { } next)
            {
                Take(next);
                return next;
            }

            if (!Backends.Any(b => b.Routable && !tried.Contains(b)))
            {
                throw NoHealthyBackend();
            }

            throw QueueFull(0);
        }
    }

    internal void Return(BackendState state)
    {
        lock (_lock)
        {
            Release(state, dispatch: true);
        }

        Changed?.Invoke();
    }

    /// <summary>A request finished on <paramref name="state"/>.</summary>
    internal void Succeeded(BackendState state, int milliseconds)
    {
        state.Recent.Add(milliseconds, ok: true);
        lock (_lock)
        {
            state.ConsecutiveFailures = 0;
        }
    }

    /// <summary>Passive ejection: consecutive failed requests count like failed probes.</summary>
    internal void Failed(BackendState state, Exception failure, int milliseconds)
    {
        state.Recent.Add(milliseconds, ok: false);
        Update(state, b => MarkFailure(b, failure.Message));
    }

    internal void Probed(BackendState state, Exception? failure)
    {
        Update(state, b =>
        {
            b.LastCheckedAt = DateTimeOffset.UtcNow;
            if (failure is not null)
            {
                MarkFailure(b, failure.Message);
                return;
            }

            b.ConsecutiveFailures = 0;
            b.ConsecutiveSuccesses++;
            if (!b.Healthy && b.ConsecutiveSuccesses >= _options.HealthCheck.HealthyThreshold)
            {
                b.Healthy = true;
                b.LastError = null;
            }
        });
    }

    private void MarkFailure(BackendState state, string error)
    {
        state.ConsecutiveSuccesses = 0;
        state.ConsecutiveFailures++;
        state.LastError = error;
        if (state.ConsecutiveFailures >= _options.HealthCheck.UnhealthyThreshold)
        {
            state.Healthy = false;
        }
    }

    /// <summary>Applies a change, then hands freed capacity to waiters, or fails them when nothing routable is left.</summary>
    private void Update(BackendState state, Action<BackendState> change)
    {
        lock (_lock)
        {
            change(state);
            DispatchLocked();
        }

        Changed?.Invoke();
    }

    private static void Take(BackendState state)
    {
        state.InFlight++;
        state.Served++;
    }

    private void Release(BackendState state, bool dispatch)
    {
        state.InFlight--;
        if (dispatch)
        {
            DispatchLocked();
        }
    }

    private void DispatchLocked()
    {
        while (_waiters.First is { } first && PickLocked(exclude: null) is { } free)
        {
            _waiters.RemoveFirst();
            Take(free);
            first.Value.TrySetResult(free);
        }

        if (_waiters.Count > 0 && !Backends.Any(b => b.Routable))
        {
            var error = NoHealthyBackend();
            while (_waiters.First is { } waiter)
            {
                _waiters.RemoveFirst();
                waiter.Value.TrySetException(error);
            }
        }
    }

    private BackendState? PickLocked(IReadOnlyCollection<BackendState>? exclude)
    {
        BackendState? best = null;
        foreach (var backend in Backends)
        {
            if (backend.Routable && backend.InFlight < backend.Entry.MaxInFlight && exclude?.Contains(backend) != true && (best is null || backend.Load < best.Load))
            {
                best = backend;
            }
        }

        return best;
    }

    private BackendRefusedException NoBackend() =>
        new(BackendRefusal.NoBackend, ModelId, $"No backend available for the model '{ModelId}'.", "30");

    private BackendRefusedException NoHealthyBackend() =>
        new(BackendRefusal.NoHealthyBackend, ModelId, "No healthy backends are available for the requested model.", RetryAfterSeconds);

    private BackendRefusedException QueueFull(int waiting) =>
        new(BackendRefusal.QueueFull, ModelId, string.Create(CultureInfo.InvariantCulture, $"The model '{ModelId}' is at capacity ({waiting} requests already waiting); retry shortly."));
}
