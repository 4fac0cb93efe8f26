using System.Collections.Concurrent;
using AkashML.Data.Limits;
using AkashML.Web.Keys;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Limits;

/// <summary>
/// Applies a key's limits: requests and tokens per minute (weighted sliding windows over <see cref="ILimitCounters"/>)
/// and concurrent requests (leased slots). A refused request is not counted. Leases held by this replica are renewed
/// by <see cref="LeaseRenewalService"/>; if the replica dies, its leases expire after
/// <see cref="ApiKeyOptions.ConcurrencyLeaseDuration"/> and the slots are free again.
/// </summary>
public sealed class KeyLimiter(ILimitCounters counters, TimeProvider clock, IOptions<ApiKeyOptions> options)
{
    private readonly ConcurrentDictionary<Guid, ConcurrencyLease> _held = new();

    /// <summary>Leases taken by this replica and not yet released.</summary>
    public IReadOnlyCollection<ConcurrencyLease> HeldLeases => [.. _held.Values];

    public ILimitCounters Counters => counters;

    /// <summary>Counts one request against a requests-per-minute limit.</summary>
    public ValueTask<LimitDecision> AdmitRequestAsync(Guid keyId, long limit, CancellationToken cancellationToken) =>
        ChargeAsync(keyId, RateLimitKind.Requests, limit, 1, 1, cancellationToken);

    /// <summary>
    /// Reserves prompt tokens plus the requested maximum against a tokens-per-minute limit. A request that asks for more
    /// than the whole limit reserves the whole limit (and waits for an empty window); one whose prompt alone is over
    /// the limit can never run and is refused without a retry time.
    /// </summary>
    public ValueTask<LimitDecision> ReserveTokensAsync(Guid keyId, long limit, long promptTokens, long maxCompletionTokens, CancellationToken cancellationToken)
    {
        var requested = promptTokens + maxCompletionTokens;
        if (promptTokens > limit)
        {
            var (minute, _) = SlidingWindow.Position(clock.GetUtcNow());
            return ValueTask.FromResult(new LimitDecision(RateLimitKind.Tokens, false, limit, 0, TimeSpan.Zero, null, requested, 0, minute));
        }

        return ChargeAsync(keyId, RateLimitKind.Tokens, limit, requested, Math.Min(requested, limit), cancellationToken);
    }

    /// <summary>Brings a token reservation in line with what the request used: refunds the rest, or charges the excess.</summary>
    public async ValueTask SettleTokensAsync(Guid keyId, LimitDecision reservation, long used)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        var difference = used - reservation.Charged;
        if (difference < 0)
        {
            await counters.RefundAsync(keyId, RateLimitKind.Tokens, reservation.Minute, -difference, CancellationToken.None);
        }
        else if (difference > 0)
        {
            var (minute, _) = SlidingWindow.Position(clock.GetUtcNow());
            await counters.AddAsync(keyId, RateLimitKind.Tokens, minute, difference, CancellationToken.None);
        }
    }

    /// <summary>Takes back a charge (the request was refused by a later limit).</summary>
    public ValueTask RefundAsync(Guid keyId, LimitDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Charged > 0
            ? counters.RefundAsync(keyId, decision.Kind, decision.Minute, decision.Charged, CancellationToken.None)
            : ValueTask.CompletedTask;
    }

    /// <summary>Takes one of the key's concurrency slots; null when all are in use.</summary>
    public async ValueTask<ConcurrencyLease?> TryEnterAsync(Guid keyId, int maxConcurrency, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var lease = await counters.TryAcquireAsync(keyId, maxConcurrency, now, now + options.Value.ConcurrencyLeaseDuration, cancellationToken);
        if (lease is not null)
        {
            _held[lease.LeaseId] = lease;
        }

        return lease;
    }

    /// <summary>Gives the slot back; safe to call from any exit path (it ignores the request's cancellation).</summary>
    public async ValueTask ExitAsync(ConcurrencyLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        _held.TryRemove(lease.LeaseId, out _);
        await counters.ReleaseAsync(lease, CancellationToken.None);
    }

    /// <summary>Extends the leases this replica holds (their requests are still running).</summary>
    public async ValueTask RenewHeldLeasesAsync(CancellationToken cancellationToken)
    {
        var held = HeldLeases;
        if (held.Count > 0)
        {
            await counters.RenewAsync(held, clock.GetUtcNow() + options.Value.ConcurrencyLeaseDuration, cancellationToken);
        }
    }

    /// <summary>How the key's window looks now (the dashboard and tests read this; nothing is counted).</summary>
    public async ValueTask<LimitDecision> PeekAsync(Guid keyId, RateLimitKind kind, long limit, CancellationToken cancellationToken)
    {
        var (minute, elapsed) = SlidingWindow.Position(clock.GetUtcNow());
        var state = await counters.PeekAsync(keyId, kind, minute, cancellationToken);
        elapsed = state.Minute > minute ? 0 : elapsed;
        return new LimitDecision(kind, true, limit, SlidingWindow.Remaining(limit, state.PreviousCount, state.Count, elapsed),
            TimeSpan.FromMilliseconds(SlidingWindow.ResetMs(state.PreviousCount, state.Count, elapsed)), null, 0, 0, state.Minute);
    }

    public ValueTask<int> InFlightAsync(Guid keyId, CancellationToken cancellationToken) =>
        counters.InFlightAsync(keyId, clock.GetUtcNow(), cancellationToken);

    private async ValueTask<LimitDecision> ChargeAsync(Guid keyId, RateLimitKind kind, long limit, long requested, long charge, CancellationToken cancellationToken)
    {
        var (minute, elapsed) = SlidingWindow.Position(clock.GetUtcNow());
        var state = await counters.AddAsync(keyId, kind, minute, charge, cancellationToken);
        if (state.Minute > minute)
        {
            // Another replica's clock is ahead and already counts the next minute: join it at its start.
            elapsed = 0;
        }

        if (SlidingWindow.Fits(limit, state.PreviousCount, state.Count, elapsed))
        {
            return new LimitDecision(kind, true, limit, SlidingWindow.Remaining(limit, state.PreviousCount, state.Count, elapsed),
                TimeSpan.FromMilliseconds(SlidingWindow.ResetMs(state.PreviousCount, state.Count, elapsed)), null, requested, charge, state.Minute);
        }

        await counters.RefundAsync(keyId, kind, state.Minute, charge, CancellationToken.None);
        var before = state.Count - charge;
        var wait = SlidingWindow.WaitMs(limit, state.PreviousCount, before, elapsed, charge);
        return new LimitDecision(kind, false, limit, SlidingWindow.Remaining(limit, state.PreviousCount, before, elapsed),
            TimeSpan.FromMilliseconds(SlidingWindow.ResetMs(state.PreviousCount, before, elapsed)),
            wait is { } ms ? TimeSpan.FromMilliseconds(Math.Max(ms, 1)) : null, requested, 0, state.Minute);
    }
}
