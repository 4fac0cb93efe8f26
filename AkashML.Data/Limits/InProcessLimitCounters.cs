using System.Collections.Concurrent;

namespace AkashML.Data.Limits;

/// <summary>
/// Limit counters held in memory: used with SQLite, where one process serves the database, so limits hold within that
/// process. The rules (window roll-over, slots, leases) are the same as <see cref="PostgresLimitCounters"/>.
/// </summary>
public sealed class InProcessLimitCounters : ILimitCounters
{
    private readonly ConcurrentDictionary<(Guid KeyId, RateLimitKind Kind), Window> _windows = new();
    private readonly ConcurrentDictionary<Guid, Slots> _slots = new();

    public bool SharedAcrossReplicas => false;

    public ValueTask<WindowState> AddAsync(Guid keyId, RateLimitKind kind, long minute, long amount, CancellationToken cancellationToken)
    {
        var window = _windows.GetOrAdd((keyId, kind), _ => new Window());
        lock (window)
        {
            if (window.Minute < minute)
            {
                window.PreviousCount = window.Minute == minute - 1 ? window.Count : 0;
                window.Count = 0;
                window.Minute = minute;
            }

            window.Count += amount;
            return ValueTask.FromResult(new WindowState(window.Minute, window.Count, window.PreviousCount));
        }
    }

    public ValueTask RefundAsync(Guid keyId, RateLimitKind kind, long minute, long amount, CancellationToken cancellationToken)
    {
        if (_windows.TryGetValue((keyId, kind), out var window))
        {
            lock (window)
            {
                if (window.Minute == minute)
                {
                    window.Count = Math.Max(window.Count - amount, 0);
                }
                else if (window.Minute == minute + 1)
                {
                    window.PreviousCount = Math.Max(window.PreviousCount - amount, 0);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<WindowState> PeekAsync(Guid keyId, RateLimitKind kind, long minute, CancellationToken cancellationToken)
    {
        if (!_windows.TryGetValue((keyId, kind), out var window))
        {
            return ValueTask.FromResult(new WindowState(minute, 0, 0));
        }

        lock (window)
        {
            return ValueTask.FromResult(
                window.Minute >= minute ? new WindowState(window.Minute, window.Count, window.PreviousCount)
                : window.Minute == minute - 1 ? new WindowState(minute, 0, window.Count)
                : new WindowState(minute, 0, 0));
        }
    }

    public ValueTask<ConcurrencyLease?> TryAcquireAsync(Guid keyId, int maxConcurrency, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        var slots = _slots.GetOrAdd(keyId, _ => new Slots());
        lock (slots)
        {
            while (slots.Leases.Count < maxConcurrency)
            {
                slots.Leases.Add(null);
            }

            for (var i = 0; i < maxConcurrency; i++)
            {
                if (slots.Leases[i] is not { } held || held.ExpiresAt < now)
                {
                    var lease = new ConcurrencyLease(keyId, i, Guid.NewGuid());
                    slots.Leases[i] = (lease.LeaseId, leaseUntil);
                    return ValueTask.FromResult<ConcurrencyLease?>(lease);
                }
            }

            return ValueTask.FromResult<ConcurrencyLease?>(null);
        }
    }

    public ValueTask ReleaseAsync(ConcurrencyLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (_slots.TryGetValue(lease.KeyId, out var slots))
        {
            lock (slots)
            {
                if (lease.Slot < slots.Leases.Count && slots.Leases[lease.Slot]?.LeaseId == lease.LeaseId)
                {
                    slots.Leases[lease.Slot] = null;
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RenewAsync(IReadOnlyCollection<ConcurrencyLease> leases, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        foreach (var lease in leases)
        {
            if (_slots.TryGetValue(lease.KeyId, out var slots))
            {
                lock (slots)
                {
                    if (lease.Slot < slots.Leases.Count && slots.Leases[lease.Slot]?.LeaseId == lease.LeaseId)
                    {
                        slots.Leases[lease.Slot] = (lease.LeaseId, leaseUntil);
                    }
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<Arrival> ArriveAsync(Guid keyId, long minute, bool countRequest, int? maxConcurrency, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        WindowState? requests = countRequest ? await AddAsync(keyId, RateLimitKind.Requests, minute, 1, cancellationToken) : null;
        var lease = maxConcurrency is { } max ? await TryAcquireAsync(keyId, max, now, leaseUntil, cancellationToken) : null;
        return new Arrival(requests, lease);
    }

    public async ValueTask DepartAsync(ConcurrencyLease? lease, WindowAdjustment? tokens, CancellationToken cancellationToken)
    {
        if (lease is not null)
        {
            await ReleaseAsync(lease, cancellationToken);
        }

        if (tokens is { Amount: < 0 } refund)
        {
            await RefundAsync(refund.KeyId, refund.Kind, refund.Minute, -refund.Amount, cancellationToken);
        }
        else if (tokens is { Amount: > 0 } charge)
        {
            await AddAsync(charge.KeyId, charge.Kind, charge.Minute, charge.Amount, cancellationToken);
        }
    }

    public ValueTask<int> InFlightAsync(Guid keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_slots.TryGetValue(keyId, out var slots))
        {
            return ValueTask.FromResult(0);
        }

        lock (slots)
        {
            return ValueTask.FromResult(slots.Leases.Count(l => l is { } held && held.ExpiresAt >= now));
        }
    }

    private sealed class Window
    {
        public long Minute { get; set; } = long.MinValue;

        public long Count { get; set; }

        public long PreviousCount { get; set; }
    }

    private sealed class Slots
    {
        public List<(Guid LeaseId, DateTimeOffset ExpiresAt)?> Leases { get; } = [];
    }
}
