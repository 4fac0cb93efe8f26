using AkashML.Billing.Ledger;
using AkashML.Billing.TopUp;
using AkashML.Data.Keys;

namespace AkashML.Billing.Reservations;

/// <summary>
/// Holds credits for a request before it runs and settles its actual cost afterwards (DESIGN.md, steps 5 and 7).
/// </summary>
/// <remarks>
/// A reservation takes its amount out of the pools at once (soonest-expiring first), so concurrent requests can never
/// spend the same credit twice and the balance never goes below zero. Settlement puts the hold back and charges the
/// actual cost from the pools that held it, again soonest-expiring first; credits a request held in a pool that
/// expired while it ran still pay for that request (it was admitted while they were valid), and the unused rest of
/// such a pool expires at settlement instead of returning.
/// </remarks>
public sealed class CreditReservations(
    AkashDbContext db,
    AccountLock accountLock,
    SqliteGroupCommit sqliteGroup,
    PostgresGroupCommit postgresGroup,
    CreditSnapshots snapshots,
    AutoTopUpQueue autoTopUps,
    TimeProvider clock,
    IOptions<BillingOptions> options,
    ILogger<CreditReservations> logger)
{
    private readonly DirectReservations _direct = new(db, sqliteGroup, postgresGroup, snapshots, clock, options.Value);

    /// <summary>Holds <paramref name="maxCostMicros"/> for a request, or says the usable balance cannot cover it.</summary>
    /// <exception cref="UnknownUserException">No such user.</exception>
    public Task<ReservationResult> ReserveAsync(string userId, string inferenceId, long maxCostMicros, CancellationToken cancellationToken) =>
        ReserveAsync(userId, keyId: null, inferenceId, maxCostMicros, cancellationToken);

    /// <summary>
    /// Holds <paramref name="maxCostMicros"/> for a request made with key <paramref name="keyId"/>, or says why not: the
    /// usable balance cannot cover it, or the key has a budget whose current period cannot (<see cref="ReservationResult.Budget"/>).
    /// The hold counts against the budget in the same transaction, and settlement moves it to the actual charge.
    /// </summary>
    /// <exception cref="UnknownUserException">No such user.</exception>
    public async Task<ReservationResult> ReserveAsync(string userId, Guid? keyId, string inferenceId, long maxCostMicros, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(inferenceId);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCostMicros);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (await _direct.TryReserveAsync(userId, keyId, inferenceId, maxCostMicros, cancellationToken) is { } direct)
        {
            return direct;
        }

        return await accountLock.RunAsync(userId, async (_, ct) =>
        {
            var now = clock.GetUtcNow();
            var pools = await UserPools.LoadAsync(db, userId, [], ct);
            pools.ExpireDue(now);
            var usable = pools.Usable(now);
            var budget = keyId is { } key ? await KeyBudgetAsync(userId, key, now, ct) : null;
            if (budget is not null && budget.SpentMicros + maxCostMicros > budget.BudgetMicros)
            {
                return ReservationResult.OverBudget(budget, usable, maxCostMicros);
            }

            if (usable < maxCostMicros)
            {
                return ReservationResult.Insufficient(usable, maxCostMicros);
            }

            var reservation = CreditReservation.Open(userId, inferenceId, maxCostMicros, options.Value.ResolvedInstanceId, now);
            db.CreditReservations.Add(reservation);
            reservation.BudgetKeyId = keyId;
            if (budget is not null)
            {
                reservation.BudgetDay = BudgetCalendar.Day(now);
                await AddKeySpendAsync(keyId!.Value, reservation.BudgetDay.Value, maxCostMicros, ct);
            }

            pools.Draw(maxCostMicros, LedgerEntryKind.Reservation, now, reservation.Id, inferenceId);
            return new ReservationResult(new CreditHold(reservation.Id, userId, inferenceId, maxCostMicros), usable, maxCostMicros);
        }, cancellationToken);
    }

    /// <summary>Charges the actual cost and releases the rest of the hold. Settling twice changes nothing the second time.</summary>
    public async Task<SettlementResult> SettleAsync(CreditHold hold, long actualCostMicros, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hold);
        ArgumentOutOfRangeException.ThrowIfNegative(actualCostMicros);
        if (await _direct.TryCloseAsync(hold, actualCostMicros, settle: true, cancellationToken) is { } direct)
        {
            return direct;
        }

        var (result, autoTopUp) = await accountLock.RunAsync(hold.UserId, (account, ct) => CloseAsync(account, hold, actualCostMicros, settle: true, ct), cancellationToken);
        if (autoTopUp is { } paymentId)
        {
            autoTopUps.Enqueue(paymentId);
        }

        return result;
    }

    /// <summary>Returns the whole hold (the request failed or was cancelled before it cost anything).</summary>
    public async Task<SettlementResult> ReleaseAsync(CreditHold hold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hold);
        if (await _direct.TryCloseAsync(hold, 0, settle: false, cancellationToken) is { } direct)
        {
            return direct;
        }

        var (result, _) = await accountLock.RunAsync(hold.UserId, (account, ct) => CloseAsync(account, hold, 0, settle: false, ct), cancellationToken);
        return result;
    }

    /// <summary>
    /// Releases open reservations that no request will settle: those made by <paramref name="holder"/> (this
    /// instance's previous run, at start) and any older than <see cref="BillingOptions.StaleReservationAfter"/>.
    /// </summary>
    public async Task<int> ReleaseStaleAsync(string? holder, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.StaleReservationAfter;
        var stale = await db.CreditReservations.AsNoTracking()
            .Where(r => r.Status == ReservationStatus.Open && (r.CreatedAt < cutoff || (holder != null && r.Holder == holder)))
            .Select(r => new CreditHold(r.Id, r.UserId, r.InferenceId, r.HeldMicros))
            .ToListAsync(cancellationToken);
        foreach (var hold in stale)
        {
            await ReleaseAsync(hold, cancellationToken);
            logger.LogWarning("Released stale reservation {ReservationId} of request {InferenceId} ({HeldMicros} micro-dollars)", hold.Id, hold.InferenceId, hold.HeldMicros);
        }

        return stale.Count;
    }

    /// <summary>The key's budget and its current period's spend, or null when it has none (or is not this user's).</summary>
    private async Task<KeyBudgetShortfall?> KeyBudgetAsync(string userId, Guid keyId, DateTimeOffset now, CancellationToken ct)
    {
        var key = await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId && k.UserId == userId && k.BudgetMicros != null)
            .Select(k => new { k.BudgetMicros, k.BudgetPeriod }).FirstOrDefaultAsync(ct);
        if (key is null)
        {
            return null;
        }

        var from = BudgetCalendar.StartDay(key.BudgetPeriod, now);
        var spent = await db.ApiKeySpend.Where(s => s.KeyId == keyId && s.Day >= from).SumAsync(s => (long?)s.SpentMicros, ct) ?? 0;
        return new KeyBudgetShortfall(key.BudgetMicros!.Value, key.BudgetPeriod, spent);
    }

    /// <summary>Moves a key's spend on one day by <paramref name="delta"/> (never below zero), saved with the rest of the operation.</summary>
    private async Task AddKeySpendAsync(Guid keyId, int day, long delta, CancellationToken ct)
    {
        var row = await db.ApiKeySpend.FindAsync([keyId, day], ct);
        if (row is null)
        {
            if (delta > 0)
            {
                db.ApiKeySpend.Add(new ApiKeySpend { KeyId = keyId, Day = day, SpentMicros = delta });
            }

            return;
        }

        row.SpentMicros = Math.Max(0, row.SpentMicros + delta);
    }

    private async Task<(SettlementResult Result, Guid? AutoTopUp)> CloseAsync(BillingAccount account, CreditHold hold, long cost, bool settle, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var reservation = await db.CreditReservations.SingleOrDefaultAsync(r => r.Id == hold.Id, ct)
            ?? throw new InvalidOperationException($"Reservation {hold.Id} does not exist.");
        if (reservation.Status == ReservationStatus.Settled || (reservation.Status == ReservationStatus.Released && !settle))
        {
            return (new SettlementResult(reservation.ChargedMicros, reservation.UncoveredMicros, 0, AlreadyClosed: true), null);
        }

        // What each pool still holds for this reservation (nothing if a stale sweep released it already).
        var holds = reservation.Status == ReservationStatus.Open
            ? await db.LedgerEntries
                .Where(e => e.ReservationId == reservation.Id && e.Kind == LedgerEntryKind.Reservation)
                .GroupBy(e => e.PoolId)
                .Select(g => new { PoolId = g.Key, Held = -g.Sum(e => e.AmountMicros) })
                .ToListAsync(ct)
            : [];
        var pools = await UserPools.LoadAsync(db, hold.UserId, holds.Select(h => h.PoolId).ToList(), ct);
        var left = cost;
        var released = 0L;
        foreach (var held in holds.Select(h => (Pool: pools.Find(h.PoolId), h.Held)).OrderBy(h => h.Pool, UserPools.SpendingComparer.Instance))
        {
            pools.Post(held.Pool, LedgerEntryKind.Release, held.Held, now, reservation.Id, reservation.InferenceId);
            var charge = Math.Min(left, held.Held);
            if (charge > 0)
            {
                pools.Post(held.Pool, LedgerEntryKind.Settlement, -charge, now, reservation.Id, reservation.InferenceId);
                left -= charge;
            }

            released += held.Held - charge;
        }

        pools.ExpireDue(now);
        if (left > 0)
        {
            // Usage beyond the hold (or after a stale release): take it from whatever is usable, never below zero.
            left = pools.Draw(left, LedgerEntryKind.Settlement, now, reservation.Id, reservation.InferenceId);
            if (left > 0)
            {
                logger.LogWarning("Request {InferenceId} cost {Uncovered} micro-dollars more than user {UserId} had; not charged", reservation.InferenceId, left, hold.UserId);
            }
        }

        if (reservation is { BudgetKeyId: { } budgetKey, BudgetDay: { } budgetDay })
        {
            // The key's day counted the hold while it was open; it now counts what was charged.
            var counted = reservation.Status == ReservationStatus.Open ? reservation.HeldMicros : 0;
            await AddKeySpendAsync(budgetKey, budgetDay, cost - left - counted, ct);
        }

        reservation.Status = settle ? ReservationStatus.Settled : ReservationStatus.Released;
        reservation.ChargedMicros = cost - left;
        reservation.UncoveredMicros = left;
        reservation.ClosedAt = now;
        var autoTopUp = settle ? AutoTopUpPolicy.TryStart(db, account, pools.Usable(now), now, options.Value) : null;
        return (new SettlementResult(reservation.ChargedMicros, left, released, AlreadyClosed: false), autoTopUp);
    }
}
