using System.Collections.Concurrent;
using AkashML.Billing.Ledger;

namespace AkashML.Billing.Reservations;

/// <summary>
/// Per user, the pools and auto top-up state as this process last read or wrote them, so a PostgreSQL hold can skip its
/// read round trip (<see cref="DirectReservations"/>).
/// </summary>
/// <remarks>
/// Staleness never costs money: the hold's writes are guarded against the newest committed state and a failed guard
/// sends the hold back to a fresh read, and a hold is never refused on a snapshot (refusals come from a read). What a
/// snapshot can miss for up to <see cref="Fresh"/> is a pool another process just created, which is then spent after
/// older ones instead of in expiry order, and an auto top-up switched on, which then starts at a later settlement.
/// </remarks>
public sealed class CreditSnapshots
{
    /// <summary>How long a read stands in for the next ones.</summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);

    // Bounds the map: past this many users, stale ones are dropped when a new one is stored.
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, CreditSnapshot> _users = new(StringComparer.Ordinal);

    /// <summary>The user's snapshot when it is fresh at <paramref name="now"/>.</summary>
    internal CreditSnapshot? Get(string userId, DateTimeOffset now) =>
        _users.TryGetValue(userId, out var snapshot) && now - snapshot.ReadAt < Fresh && now >= snapshot.ReadAt ? snapshot : null;

    internal void Store(string userId, IEnumerable<CreditPool> pools, bool autoTopUpArmed, DateTimeOffset now)
    {
        if (_users.Count > PruneAbove)
        {
            foreach (var (user, snapshot) in _users)
            {
                if (now - snapshot.ReadAt >= Fresh)
                {
                    _users.TryRemove(user, out _);
                }
            }
        }

        _users[userId] = new CreditSnapshot([.. pools.Select(PoolState.Of)], autoTopUpArmed, now);
    }

    /// <summary>Moves the remainders of the user's pools by what this process just committed.</summary>
    internal void Apply(string userId, IReadOnlyList<(CreditPool Pool, long Delta)> changes)
    {
        while (_users.TryGetValue(userId, out var snapshot))
        {
            var moved = snapshot with
            {
                Pools = [.. snapshot.Pools.Select(p => p with { RemainingMicros = p.RemainingMicros + changes.Where(c => c.Pool.Id == p.Id).Sum(c => c.Delta) })],
            };
            if (_users.TryUpdate(userId, moved, snapshot))
            {
                return;
            }
        }
    }

    /// <summary>Drops the user's snapshot (a write found it out of date).</summary>
    internal void Forget(string userId) => _users.TryRemove(userId, out _);
}

/// <summary>A user's pools and whether an auto top-up could start, as read at <see cref="ReadAt"/> and moved by this process since.</summary>
internal sealed record CreditSnapshot(IReadOnlyList<PoolState> Pools, bool AutoTopUpArmed, DateTimeOffset ReadAt);

/// <summary>One pool in a <see cref="CreditSnapshot"/>.</summary>
internal readonly record struct PoolState(Guid Id, long RemainingMicros, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt)
{
    public static PoolState Of(CreditPool pool) => new(pool.Id, pool.RemainingMicros, pool.ExpiresAt, pool.CreatedAt);

    public CreditPool ToPool(string userId) =>
        new() { Id = Id, UserId = userId, RemainingMicros = RemainingMicros, ExpiresAt = ExpiresAt, CreatedAt = CreatedAt };
}
