namespace AkashML.Billing.Ledger;

/// <summary>
/// The pools of one user loaded inside an <see cref="AccountLock"/> transaction. Every change to a pool's remainder
/// goes through <see cref="Post"/>, which writes the matching ledger entry, so a pool's remainder is always the sum
/// of its entries.
/// </summary>
public sealed class UserPools
{
    private readonly AkashDbContext _db;
    private readonly string _userId;
    private readonly List<CreditPool> _pools;

    private UserPools(AkashDbContext db, string userId, List<CreditPool> pools)
    {
        _db = db;
        _userId = userId;
        _pools = pools;
    }

    public IReadOnlyList<CreditPool> Pools => _pools;

    /// <summary>Loads the user's pools with something left, plus <paramref name="alsoInclude"/> (pools a reservation holds).</summary>
    public static async Task<UserPools> LoadAsync(AkashDbContext db, string userId, IReadOnlyCollection<Guid> alsoInclude, CancellationToken cancellationToken)
    {
        var ids = alsoInclude.ToList();
        var pools = await db.CreditPools
            .Where(p => p.UserId == userId && (p.RemainingMicros > 0 || ids.Contains(p.Id)))
            .ToListAsync(cancellationToken);
        return new UserPools(db, userId, pools);
    }

    public CreditPool Find(Guid id) => _pools.FirstOrDefault(p => p.Id == id)
        ?? throw new InvalidOperationException($"Credit pool {id} is not loaded.");

    public void AddNew(CreditPool pool)
    {
        _db.CreditPools.Add(pool);
        _pools.Add(pool);
    }

    public static bool IsLive(CreditPool pool, DateTimeOffset now) => pool.ExpiresAt is not { } expires || expires > now;

    /// <summary>What can be spent now: remainders of pools that have not expired.</summary>
    public long Usable(DateTimeOffset now) => _pools.Where(p => IsLive(p, now)).Sum(p => p.RemainingMicros);

    /// <summary>Live pools with something left, in spending order: soonest expiry first, never-expiring last, then oldest.</summary>
    public IEnumerable<CreditPool> SpendingOrder(DateTimeOffset now) =>
        _pools.Where(p => p.RemainingMicros > 0 && IsLive(p, now)).OrderBy(p => p, SpendingComparer.Instance);

    /// <summary>Records the expiry of every remainder whose pool has expired.</summary>
    public void ExpireDue(DateTimeOffset now)
    {
        foreach (var pool in _pools.Where(p => p.RemainingMicros > 0 && !IsLive(p, now)).ToList())
        {
            Post(pool, LedgerEntryKind.Expiry, -pool.RemainingMicros, now, note: "expired " + pool.ExpiresAt!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Moves <paramref name="amountMicros"/> (signed) in or out of a pool and appends the ledger entry.</summary>
    public LedgerEntry Post(CreditPool pool, LedgerEntryKind kind, long amountMicros, DateTimeOffset now,
        Guid? reservationId = null, string? inferenceId = null, string? paymentReference = null, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var remaining = checked(pool.RemainingMicros + amountMicros);
        if (remaining < 0)
        {
            throw new InvalidOperationException($"Credit pool {pool.Id} would go below zero ({remaining} micro-dollars).");
        }

        pool.RemainingMicros = remaining;
        var entry = new LedgerEntry
        {
            UserId = _userId,
            PoolId = pool.Id,
            Kind = kind,
            AmountMicros = amountMicros,
            ReservationId = reservationId,
            InferenceId = inferenceId,
            PaymentReference = paymentReference,
            Note = note,
            CreatedAt = now,
        };
        _db.LedgerEntries.Add(entry);
        return entry;
    }

    /// <summary>Takes up to <paramref name="amountMicros"/> from live pools in spending order; returns what could not be taken.</summary>
    public long Draw(long amountMicros, LedgerEntryKind kind, DateTimeOffset now, Guid? reservationId = null, string? inferenceId = null, string? paymentReference = null)
    {
        var left = amountMicros;
        foreach (var pool in SpendingOrder(now).ToList())
        {
            if (left == 0)
            {
                break;
            }

            var take = Math.Min(left, pool.RemainingMicros);
            Post(pool, kind, -take, now, reservationId, inferenceId, paymentReference);
            left -= take;
        }

        return left;
    }

    /// <summary>Soonest expiry first, pools without expiry last; ties by age.</summary>
    public sealed class SpendingComparer : IComparer<CreditPool>
    {
        public static readonly SpendingComparer Instance = new();

        public int Compare(CreditPool? x, CreditPool? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var byExpiry = (x.ExpiresAt, y.ExpiresAt) switch
            {
                (null, null) => 0,
                (null, _) => 1,
                (_, null) => -1,
                ({ } a, { } b) => a.CompareTo(b),
            };
            return byExpiry != 0 ? byExpiry : x.CreatedAt.CompareTo(y.CreatedAt) is var byAge and not 0 ? byAge : x.Id.CompareTo(y.Id);
        }
    }
}
