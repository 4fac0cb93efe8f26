namespace AkashML.Billing.Ledger;

/// <summary>Credit pools and the ledger: grants, balances, expiry, and the check that the books balance.</summary>
public sealed class CreditLedger(AkashDbContext db, AccountLock accountLock, TimeProvider clock, ILogger<CreditLedger> logger)
{
    /// <summary>Adds a pool of <paramref name="amountMicros"/> and its grant entry.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The amount is not positive or the expiry is not in the future.</exception>
    /// <exception cref="UnknownUserException">No such user.</exception>
    public async Task<CreditPool> GrantAsync(string userId, CreditSource source, long amountMicros, DateTimeOffset? expiresAt,
        string? reason, string? reference, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amountMicros);
        var now = clock.GetUtcNow();
        if (expiresAt is { } expires && expires <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresAt), expiresAt, "The expiry must be in the future.");
        }

        return await accountLock.RunAsync(userId, async (_, ct) =>
        {
            var pools = await UserPools.LoadAsync(db, userId, [], ct);
            pools.ExpireDue(now);
            return Grant(pools, userId, source, amountMicros, expiresAt?.ToUniversalTime(), reason, reference, now);
        }, cancellationToken);
    }

    /// <summary>Creates a pool inside an <see cref="AccountLock"/> transaction the caller already holds.</summary>
    internal static CreditPool Grant(UserPools pools, string userId, CreditSource source, long amountMicros, DateTimeOffset? expiresAt,
        string? reason, string? reference, DateTimeOffset now)
    {
        var pool = new CreditPool
        {
            UserId = userId,
            Source = source,
            AmountMicros = amountMicros,
            RemainingMicros = 0,
            ExpiresAt = expiresAt,
            Reason = reason is { Length: > 500 } ? reason[..500] : reason,
            Reference = reference,
            CreatedAt = now,
        };
        pools.AddNew(pool);
        pools.Post(pool, LedgerEntryKind.Grant, amountMicros, now, paymentReference: source == CreditSource.Purchase ? reference : null, note: pool.Reason);
        return pool;
    }

    /// <summary>The user's balance now. Reads only; expired remainders stop counting at the instant of expiry.</summary>
    public async Task<CreditBalance> GetBalanceAsync(string userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var pools = await db.CreditPools.AsNoTracking().Where(p => p.UserId == userId).ToListAsync(cancellationToken);
        var held = await db.CreditReservations.AsNoTracking()
            .Where(r => r.UserId == userId && r.Status == ReservationStatus.Open)
            .SumAsync(r => (long?)r.HeldMicros, cancellationToken) ?? 0;
        var views = pools
            .OrderBy(p => p, UserPools.SpendingComparer.Instance)
            .Select(p => new CreditPoolView(p.Id, p.Source, p.AmountMicros, p.RemainingMicros, p.ExpiresAt, !UserPools.IsLive(p, now), p.CreatedAt, p.Reason, p.Reference))
            .ToList();
        var usable = pools.Where(p => UserPools.IsLive(p, now)).Sum(p => p.RemainingMicros);
        return new CreditBalance(usable, held, views);
    }

    /// <summary>The sum of the user's ledger entries (equals the usable balance once expired remainders are recorded).</summary>
    public async Task<long> GetLedgerSumAsync(string userId, CancellationToken cancellationToken) =>
        await db.LedgerEntries.AsNoTracking().Where(e => e.UserId == userId).SumAsync(e => (long?)e.AmountMicros, cancellationToken) ?? 0;

    /// <summary>Records the expiry of every expired remainder, user by user; returns how many users had some.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var users = await db.CreditPools.AsNoTracking()
            .Where(p => p.RemainingMicros > 0 && p.ExpiresAt != null && p.ExpiresAt <= now)
            .Select(p => p.UserId)
            .Distinct()
            .ToListAsync(cancellationToken);
        foreach (var userId in users)
        {
            await ExpireDueAsync(userId, cancellationToken);
        }

        return users.Count;
    }

    /// <summary>Records the expiry of the user's expired remainders.</summary>
    public Task ExpireDueAsync(string userId, CancellationToken cancellationToken) =>
        accountLock.RunAsync(userId, async (_, ct) =>
        {
            var pools = await UserPools.LoadAsync(db, userId, [], ct);
            pools.ExpireDue(clock.GetUtcNow());
            return true;
        }, cancellationToken);

    /// <summary>
    /// Verifies that every pool's remainder equals the sum of its ledger entries and every reservation's held or
    /// charged amount equals the sum of its entries; logs each disagreement as an error.
    /// </summary>
    public async Task<LedgerCheckReport> CheckAsync(CancellationToken cancellationToken)
    {
        var drifts = new List<LedgerDrift>();
        var poolSums = await db.LedgerEntries.AsNoTracking()
            .GroupBy(e => e.PoolId)
            .Select(g => new { PoolId = g.Key, Sum = g.Sum(e => e.AmountMicros) })
            .ToDictionaryAsync(x => x.PoolId, x => x.Sum, cancellationToken);
        var pools = await db.CreditPools.AsNoTracking()
            .Select(p => new { p.Id, p.UserId, p.RemainingMicros })
            .ToListAsync(cancellationToken);
        foreach (var pool in pools)
        {
            var sum = poolSums.GetValueOrDefault(pool.Id);
            if (sum != pool.RemainingMicros || pool.RemainingMicros < 0)
            {
                drifts.Add(new LedgerDrift("pool", pool.Id, pool.UserId, pool.RemainingMicros, sum));
            }
        }

        var reservationSums = await db.LedgerEntries.AsNoTracking()
            .Where(e => e.ReservationId != null)
            .GroupBy(e => e.ReservationId!.Value)
            .Select(g => new { ReservationId = g.Key, Sum = g.Sum(e => e.AmountMicros) })
            .ToDictionaryAsync(x => x.ReservationId, x => x.Sum, cancellationToken);
        var reservations = await db.CreditReservations.AsNoTracking()
            .Select(r => new { r.Id, r.UserId, r.Status, r.HeldMicros, r.ChargedMicros })
            .ToListAsync(cancellationToken);
        foreach (var reservation in reservations)
        {
            var spent = -reservationSums.GetValueOrDefault(reservation.Id);
            var expected = reservation.Status switch
            {
                ReservationStatus.Open => reservation.HeldMicros,
                ReservationStatus.Settled => reservation.ChargedMicros,
                ReservationStatus.Released => 0,
                _ => throw new InvalidOperationException($"Unknown reservation status {reservation.Status}."),
            };
            if (spent != expected)
            {
                drifts.Add(new LedgerDrift("reservation", reservation.Id, reservation.UserId, expected, spent));
            }
        }

        foreach (var drift in drifts)
        {
            logger.LogError("Ledger drift: {Subject} {Id} of user {UserId} stores {StoredMicros} micro-dollars but its ledger entries add up to {LedgerMicros}",
                drift.Subject, drift.Id, drift.UserId, drift.StoredMicros, drift.LedgerMicros);
        }

        return new LedgerCheckReport(pools.Count, reservations.Count, drifts);
    }
}
