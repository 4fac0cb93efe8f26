namespace AkashML.Data.Limits;

/// <summary>
/// The shared state behind per-key limits: per-minute counters and concurrency slots. On PostgreSQL every replica
/// sharing the database sees the same numbers (each call is one atomic statement); on SQLite they live in this process.
/// </summary>
public interface ILimitCounters
{
    /// <summary>Whether the counters are shared by every replica using the database.</summary>
    bool SharedAcrossReplicas { get; }

    /// <summary>
    /// Adds <paramref name="amount"/> to the key's count for <paramref name="minute"/> (rolling the window forward if
    /// the stored minute is older) and returns the window as it is after the addition.
    /// </summary>
    ValueTask<WindowState> AddAsync(Guid keyId, RateLimitKind kind, long minute, long amount, CancellationToken cancellationToken);

    /// <summary>Takes back <paramref name="amount"/> from the minute it was added to, if that minute is still counted.</summary>
    ValueTask RefundAsync(Guid keyId, RateLimitKind kind, long minute, long amount, CancellationToken cancellationToken);

    /// <summary>The window as seen from <paramref name="minute"/>, without changing it.</summary>
    ValueTask<WindowState> PeekAsync(Guid keyId, RateLimitKind kind, long minute, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a free slot among the key's first <paramref name="maxConcurrency"/> (free: never leased, released, or its
    /// lease expired before <paramref name="now"/>); null when all are taken.
    /// </summary>
    ValueTask<ConcurrencyLease?> TryAcquireAsync(Guid keyId, int maxConcurrency, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    ValueTask ReleaseAsync(ConcurrencyLease lease, CancellationToken cancellationToken);

    /// <summary>Extends leases that are still held (requests still running on this replica).</summary>
    ValueTask RenewAsync(IReadOnlyCollection<ConcurrencyLease> leases, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>
    /// What a request does on arrival, in one round trip where the store allows it: counts one request for
    /// <paramref name="minute"/> when <paramref name="countRequest"/>, and takes a concurrency slot when
    /// <paramref name="maxConcurrency"/> is set. Both happen whatever the other's outcome; the caller undoes one when the
    /// other refuses.
    /// </summary>
    ValueTask<Arrival> ArriveAsync(Guid keyId, long minute, bool countRequest, int? maxConcurrency, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>What a request does when it ends, in one round trip where the store allows it: gives back its slot and settles its tokens.</summary>
    ValueTask DepartAsync(ConcurrencyLease? lease, WindowAdjustment? tokens, CancellationToken cancellationToken);

    /// <summary>How many of the key's slots are held by live leases.</summary>
    ValueTask<int> InFlightAsync(Guid keyId, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>A key's count in <paramref name="Minute"/> and in the minute before it.</summary>
public readonly record struct WindowState(long Minute, long Count, long PreviousCount);

/// <summary>A held concurrency slot.</summary>
public sealed record ConcurrencyLease(Guid KeyId, int Slot, Guid LeaseId);

/// <summary>The outcome of <see cref="ILimitCounters.ArriveAsync"/>: the request window (if counted) and the slot (if one was free).</summary>
public readonly record struct Arrival(WindowState? Requests, ConcurrencyLease? Lease);

/// <summary>
/// A correction to a window: a negative <paramref name="Amount"/> is refunded from <paramref name="Minute"/> (where it
/// was charged); a positive one is added to <paramref name="Minute"/> (the current minute).
/// </summary>
public readonly record struct WindowAdjustment(Guid KeyId, RateLimitKind Kind, long Minute, long Amount);
