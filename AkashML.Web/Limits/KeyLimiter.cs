using System.Collections.Concurrent;
using AkashML.Data.Limits;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Limits;

/// <summary>
/// Applies a key's limits: requests and tokens per minute (weighted sliding windows over <see cref="ILimitCounters"/>)
/// and concurrent requests (leased slots). A refused request is not counted. Leases held by this replica are renewed
/// by <see cref="LeaseRenewalService"/>; if the replica dies, its leases expire after
/// <see cref="LimitOptions.ConcurrencyLeaseDuration"/> and the slots are free again.
/// </summary>
public sealed class KeyLimiter(ILimitCounters counters, TimeProvider clock, IOptions<LimitOptions> options)
{
    private readonly ConcurrentDictionary<Guid, ConcurrencyLease> _held = new();

    /// <summary>Leases taken by this replica and not yet released.</summary>
    public IReadOnlyCollection<ConcurrencyLease> HeldLeases => [.. _held.Values];

    public ILimitCounters Counters => counters;

    /// <summary>
    /// Admits a request under its key's request-per-minute and concurrency limits (either may be null), in one round
    /// trip to the counters. A request refused by one limit is not counted by the other.
    /// </summary>
    public async ValueTask<Admission> AdmitAsync(Guid keyId, int? requestsPerMinute, int? maxConcurrency, CancellationToken cancellationToken)
    {
        if (requestsPerMinute is null && maxConcurrency is null)
        {
            return new Admission(null, null, false);
        }

        var now = clock.GetUtcNow();
        var (minute, elapsed) = SlidingWindow.Position(now);
        var arrival = await counters.ArriveAsync(keyId, minute, requestsPerMinute is not null, maxConcurrency, now,
            now + options.Value.ConcurrencyLeaseDuration, cancellationToken);
        if (arrival.Lease is { } taken)
        {
            _held[taken.LeaseId] = taken;
        }

        var requests = arrival.Requests is { } window && requestsPerMinute is { } rpm ? Decide(RateLimitKind.Requests, rpm, 1, 1, window, minute, elapsed) : null;
        var concurrencyRefused = maxConcurrency is not null && arrival.Lease is null;
        if (requests is { Allowed: false } || concurrencyRefused)
        {
            // Refused: a refused request is not counted, and holds no slot.
            if (arrival.Lease is { } lease)
            {
                _held.TryRemove(lease.LeaseId, out _);
            }

            var uncount = arrival.Requests is { } counted ? new WindowAdjustment(keyId, RateLimitKind.Requests, counted.Minute, -1) : (WindowAdjustment?)null;
            await counters.DepartAsync(arrival.Lease, uncount, CancellationToken.None);

            return new Admission(requests, null, concurrencyRefused);
        }

        return new Admission(requests, arrival.Lease, false);
    }

    /// <summary>
    /// Ends an admitted request: gives back its concurrency slot and brings its token reservation in line with what it
    /// used (refunding the rest, or charging the excess). Safe from any exit path: it ignores the request's cancellation.
    /// </summary>
    public async ValueTask FinishAsync(Guid keyId, ConcurrencyLease? lease, LimitDecision? tokens, long usedTokens)
    {
        if (lease is not null)
        {
            _held.TryRemove(lease.LeaseId, out _);
        }

        WindowAdjustment? adjustment = null;
        if (tokens is { Charged: var charged, Minute: var chargedMinute } && usedTokens != charged)
        {
            adjustment = usedTokens < charged
                ? new WindowAdjustment(keyId, RateLimitKind.Tokens, chargedMinute, usedTokens - charged)
                : new WindowAdjustment(keyId, RateLimitKind.Tokens, SlidingWindow.Position(clock.GetUtcNow()).Minute, usedTokens - charged);
        }

        if (lease is not null || adjustment is not null)
        {
            await counters.DepartAsync(lease, adjustment, CancellationToken.None);
        }
    }

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
        var decision = Decide(kind, limit, requested, charge, state, minute, elapsed);
        if (!decision.Allowed)
        {
            await counters.RefundAsync(keyId, kind, state.Minute, charge, CancellationToken.None);
        }

        return decision;
    }

    /// <summary>Judges a window that already includes <paramref name="charge"/>.</summary>
    private static LimitDecision Decide(RateLimitKind kind, long limit, long requested, long charge, WindowState state, long minute, long elapsed)
    {
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

        // Other refused requests may have counted themselves and not yet taken it back: what was admitted is at most what fits.
        var before = Math.Min(state.Count - charge, SlidingWindow.Remaining(limit, state.PreviousCount, 0, elapsed));
        var wait = SlidingWindow.WaitMs(limit, state.PreviousCount, before, elapsed, charge);
        return new LimitDecision(kind, false, limit, SlidingWindow.Remaining(limit, state.PreviousCount, before, elapsed),
            TimeSpan.FromMilliseconds(SlidingWindow.ResetMs(state.PreviousCount, before, elapsed)),
            wait is { } ms ? TimeSpan.FromMilliseconds(Math.Max(ms, 1)) : null, requested, 0, state.Minute);
    }
}
