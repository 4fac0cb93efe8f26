using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Data.Keys;
using AkashML.Inference.Serving;
using AkashML.Web.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Keys;

/// <summary>
/// Creates, lists, edits, rolls, revokes and authenticates API keys. Lookups are cached in memory for
/// <see cref="ApiKeyOptions.CacheDuration"/>: a change made through this service (revoke, roll, edit) takes effect at
/// once on this replica, and on other replicas when their cached entry expires (5 seconds by default).
/// </summary>
public sealed class ApiKeyService(
    AkashDbContext db,
    ApiKeyHasher hasher,
    IMemoryCache cache,
    IOptions<ApiKeyOptions> options,
    SqliteWriteGate sqliteGate,
    IModelProvider models,
    UsageWriter usage,
    AccountLock accountLock,
    TimeProvider clock,
    ILogger<ApiKeyService> logger)
{
    public const int MaxNameLength = 100;

    /// <summary>Held only to decide which request of a key loads it into the cache.</summary>
    private static readonly Lock Loading = new();

    /// <summary>How far back a settled request whose usage record is not written yet counts toward a budget set now.</summary>
    private static readonly TimeSpan RecentlySettled = TimeSpan.FromMinutes(10);

    /// <summary>The longest grace period a roll may give the old secret.</summary>
    public static readonly TimeSpan MaxRollGrace = TimeSpan.FromHours(24);

    /// <summary>Creates a key and returns it with its secret, which is never retrievable again.</summary>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(string userId, string name, ApiKeyLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var problems = new List<string>();
        CheckName(name, problems);
        problems.AddRange(limits.Validate(clock.GetUtcNow()));
        var allowed = CheckModels(limits, problems);
        ThrowIfAny(problems);

        var secret = ApiKeySecret.Generate();
        var key = new ApiKey
        {
            UserId = userId,
            Name = name.Trim(),
            SecretHash = hasher.Hash(secret),
            Prefix = ApiKeySecret.Prefix,
            LastFour = secret[^4..],
            RequestsPerMinute = limits.RequestsPerMinute,
            TokensPerMinute = limits.TokensPerMinute,
            MaxConcurrency = limits.MaxConcurrency,
            ExpiresAt = limits.ExpiresAt,
            BudgetMicros = limits.BudgetMicros,
            BudgetPeriod = limits.BudgetPeriod,
            AllowedModels = allowed,
            CreatedAt = clock.GetUtcNow(),
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return (key, secret);
    }

    /// <summary>A user's keys, oldest first; the hidden playground key (<see cref="PlaygroundKeys"/>) is not one of them.</summary>
    public async Task<IReadOnlyList<ApiKey>> ListAsync(string userId, CancellationToken cancellationToken) =>
        await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId && k.Prefix != PlaygroundKeys.Prefix).OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);

    /// <summary>
    /// One page of a user's keys for the keys grid, filtered, sorted and paged in the database. Keys never used or never
    /// expiring sort after the others in both directions; ties keep creation order, so paging is stable.
    /// </summary>
    public async Task<ApiKeyPage> PageAsync(string userId, ApiKeyQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var now = clock.GetUtcNow();
        var keys = db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId && k.Prefix != PlaygroundKeys.Prefix);
        keys = query.Status switch
        {
            ApiKeyStatusFilter.Active => keys.Where(k => k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now)),
            ApiKeyStatusFilter.Inactive => keys.Where(k => k.RevokedAt != null || (k.ExpiresAt != null && k.ExpiresAt <= now)),
            _ => keys,
        };
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // Lower-casing both sides gives the same case-insensitive match on SQLite and PostgreSQL.
            var term = query.Search.Trim().ToLowerInvariant();
#pragma warning disable CA1304, CA1311 // Translated to SQL lower(): the database's rule applies, not this process's culture.
            keys = keys.Where(k => k.Name.ToLower().Contains(term));
#pragma warning restore CA1304, CA1311
        }

        var total = await keys.CountAsync(cancellationToken);
#pragma warning disable CA1304, CA1311 // Translated to SQL lower(): names sort ignoring case on both databases, whatever their collation.
        var sorted = (query.Sort, query.Descending) switch
        {
            (ApiKeySort.Name, false) => keys.OrderBy(k => k.Name.ToLower()),
            (ApiKeySort.Name, true) => keys.OrderByDescending(k => k.Name.ToLower()),
            (ApiKeySort.LastUsed, false) => keys.OrderBy(k => k.LastUsedAt == null).ThenBy(k => k.LastUsedAt),
            (ApiKeySort.LastUsed, true) => keys.OrderBy(k => k.LastUsedAt == null).ThenByDescending(k => k.LastUsedAt),
            (ApiKeySort.Expires, false) => keys.OrderBy(k => k.ExpiresAt == null).ThenBy(k => k.ExpiresAt),
            (ApiKeySort.Expires, true) => keys.OrderBy(k => k.ExpiresAt == null).ThenByDescending(k => k.ExpiresAt),
            (_, true) => keys.OrderByDescending(k => k.CreatedAt),
            _ => keys.OrderBy(k => k.CreatedAt),
        };
#pragma warning restore CA1304, CA1311
        var size = Math.Clamp(query.PageSize, 1, ApiKeyQuery.MaxPageSize);
        var items = await sorted.ThenBy(k => k.Id).Skip(Math.Max(query.Page, 0) * size).Take(size).ToListAsync(cancellationToken);
        return new ApiKeyPage(items, total);
    }

    /// <summary>Last use and revocation of the given keys of a user, for a page that shows them live.</summary>
    public async Task<IReadOnlyList<ApiKeyActivity>> ActivityAsync(string userId, IReadOnlyCollection<Guid> keyIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyIds);
        if (keyIds.Count == 0)
        {
            return [];
        }

        return await db.ApiKeys.AsNoTracking()
            .Where(k => k.UserId == userId && keyIds.Contains(k.Id))
            .Select(k => new ApiKeyActivity(k.Id, k.LastUsedAt, k.RevokedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>One key, if it exists and (when <paramref name="ownerId"/> is given) belongs to that user.</summary>
    public Task<ApiKey?> FindAsync(Guid keyId, string? ownerId, CancellationToken cancellationToken) =>
        db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keyId && (ownerId == null || k.UserId == ownerId), cancellationToken);

    /// <summary>Renames a key; false when there is no such key (of that owner).</summary>
    public async Task<bool> RenameAsync(Guid keyId, string? ownerId, string name, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        CheckName(name, problems);
        ThrowIfAny(problems);
        return await UpdateAsync(keyId, ownerId, key => key.Name = name.Trim(), cancellationToken);
    }

    /// <summary>
    /// Renames a key and replaces its limits and expiry in one save (the edit dialog); false when there is no such key
    /// (of that owner). Every problem of the name and the limits is reported at once.
    /// </summary>
    public async Task<bool> EditAsync(Guid keyId, string? ownerId, string name, ApiKeyLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var problems = new List<string>();
        CheckName(name, problems);
        problems.AddRange(limits.Validate(clock.GetUtcNow()));
        var allowed = CheckModels(limits, problems);
        ThrowIfAny(problems);
        await FlushUsageBeforeBudgetAsync(limits, cancellationToken);
        return await UpdateAsync(keyId, ownerId, key =>
        {
            key.Name = name.Trim();
            Apply(key, limits, allowed);
        }, cancellationToken);
    }

    /// <summary>
    /// Replaces a key's limits (null = unlimited) and expiry; false when there is no such key (of that owner). Running
    /// requests keep the limits they started with, but a budget set now counts what they hold.
    /// </summary>
    public async Task<bool> UpdateLimitsAsync(Guid keyId, string? ownerId, ApiKeyLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var problems = new List<string>(limits.Validate(clock.GetUtcNow()));
        var allowed = CheckModels(limits, problems);
        ThrowIfAny(problems);
        await FlushUsageBeforeBudgetAsync(limits, cancellationToken);
        return await UpdateAsync(keyId, ownerId, key => Apply(key, limits, allowed), cancellationToken);
    }

    /// <summary>
    /// What each of the given keys with a budget has spent in its current period (holds of running requests included),
    /// in micro-dollars; keys without a budget are not in the answer. One query over the keys' days of this month,
    /// week or (for a lifetime budget) all time.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, long>> SpentThisPeriodAsync(IEnumerable<ApiKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var now = clock.GetUtcNow();
        var budgeted = keys.Where(k => k.BudgetMicros is not null).ToDictionary(k => k.Id, k => BudgetCalendar.StartDay(k.BudgetPeriod, now));
        if (budgeted.Count == 0)
        {
            return new Dictionary<Guid, long>();
        }

        var ids = budgeted.Keys.ToList();
        var from = budgeted.Values.Min();
        var days = await db.ApiKeySpend.AsNoTracking().Where(s => ids.Contains(s.KeyId) && s.Day >= from).ToListAsync(cancellationToken);
        return budgeted.ToDictionary(pair => pair.Key, pair => days.Where(d => d.KeyId == pair.Key && d.Day >= pair.Value).Sum(d => d.SpentMicros));
    }

    /// <summary>
    /// Gives a key a new secret with the same id, name and limits, and returns it (shown once). The old secret keeps
    /// working for <paramref name="grace"/> (0 to 24 hours; 0 stops it at once) — a secret rolled before it, still in
    /// its grace, stops now: only the latest old secret is kept. Null when there is no such key (of that owner).
    /// </summary>
    public async Task<(ApiKey Key, string Secret)?> RollAsync(Guid keyId, string? ownerId, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (grace < TimeSpan.Zero || grace > MaxRollGrace)
        {
            throw new ApiKeyValidationException(["grace period must be between 0 and 24 hours"]);
        }

        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && (ownerId == null || k.UserId == ownerId), cancellationToken);
        if (key is null)
        {
            return null;
        }

        if (key.RevokedAt is not null)
        {
            throw new ApiKeyValidationException(["a revoked key cannot be rolled; create a new one"]);
        }

        var stale = new[] { key.SecretHash, key.PreviousSecretHash };
        var secret = ApiKeySecret.Generate();
        var now = clock.GetUtcNow();
        if (grace > TimeSpan.Zero)
        {
            key.PreviousSecretHash = key.SecretHash;
            key.PreviousLastFour = key.LastFour;
            key.PreviousSecretExpiresAt = now + grace;
        }
        else
        {
            key.PreviousSecretHash = null;
            key.PreviousLastFour = null;
            key.PreviousSecretExpiresAt = null;
        }

        key.SecretHash = hasher.Hash(secret);
        key.LastFour = secret[^4..];
        await db.SaveChangesAsync(cancellationToken);
        Forget(stale);
        return (key, secret);
    }

    /// <summary>Revokes a key; this replica stops accepting it at once, others when their short cache expires.</summary>
    public async Task<bool> RevokeAsync(Guid keyId, string? ownerId, CancellationToken cancellationToken) =>
        await UpdateAsync(keyId, ownerId, key => key.RevokedAt ??= clock.GetUtcNow(), cancellationToken);

    /// <summary>
    /// The key behind a presented secret, or null when it is unknown, revoked, expired, an old secret past its grace, or
    /// not a key at all. The lookup is by the HMAC of the secret (one indexed probe, current or previous secret), so the
    /// database never compares anything an attacker chose, and every failure looks the same to the caller.
    /// </summary>
    public async Task<AuthenticatedKey?> AuthenticateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (presented is null || presented.Length > ApiKeySecret.MaxPresentedLength)
        {
            return null;
        }

        var hash = hasher.Hash(presented);
        if (!ApiKeySecret.HasValidShape(presented))
        {
            return null;
        }

        var cacheKey = CacheKey(hash);
        TaskCompletionSource<CachedKey>? loading = null;
        if (!cache.TryGetValue(cacheKey, out Task<CachedKey>? lookup) || lookup is null)
        {
            // When the entry expires under load, the requests of that key share one lookup and one last-used write
            // instead of each running its own.
            lock (Loading)
            {
                if (!cache.TryGetValue(cacheKey, out lookup) || lookup is null)
                {
                    loading = new TaskCompletionSource<CachedKey>(TaskCreationOptions.RunContinuationsAsynchronously);
                    lookup = loading.Task;
                    cache.Set(cacheKey, lookup, options.Value.CacheDuration);
                }
            }
        }

        if (loading is not null)
        {
            try
            {
                // Not the caller's cancellation: other requests wait for this lookup too.
                loading.SetResult(await LoadAsync(hash, CancellationToken.None));
            }
            catch (Exception ex)
            {
                cache.Remove(cacheKey);
                loading.SetException(ex);
            }
        }

        var cached = await lookup.WaitAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return cached.Key is { } key && cached.RevokedAt is null && (cached.ValidUntil is null || cached.ValidUntil > now)
            ? key
            : null;
    }

    /// <summary>The key row behind a secret's hash (current or previous secret), and marks it used.</summary>
    private async Task<CachedKey> LoadAsync(string hash, CancellationToken cancellationToken)
    {
        var row = await db.ApiKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.SecretHash == hash || k.PreviousSecretHash == hash, cancellationToken);
        if (row is null)
        {
            return CachedKey.Unknown;
        }

        // SQLite has one writer at a time: queue behind the credit updates instead of retrying on "database is locked".
        using (var gate = db is SqliteAkashDbContext ? await sqliteGate.EnterAsync(cancellationToken) : null)
        {
            try
            {
                await db.ApiKeys.Where(k => k.Id == row.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, clock.GetUtcNow()), cancellationToken);
            }
            catch (Exception ex) when (StorageFull.IsCause(ex))
            {
                // "Last used" is a courtesy: a full disk must not refuse the key, or reads that need no space would fail too.
                logger.LogWarning("Could not mark key {KeyId} used: the database is full", row.Id);
            }
        }

        return new CachedKey(
            new AuthenticatedKey(row.Id, row.UserId, row.Name, ApiKeyLimits.Of(row)),
            row.RevokedAt,
            row.SecretHash == hash ? row.ExpiresAt : Earliest(row.ExpiresAt, row.PreviousSecretExpiresAt));
    }

    private async Task<bool> UpdateAsync(Guid keyId, string? ownerId, Action<ApiKey> change, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && (ownerId == null || k.UserId == ownerId), cancellationToken);
        if (key is null)
        {
            return false;
        }

        var hadBudget = key.BudgetMicros is not null;
        change(key);
        if (!hadBudget && key.BudgetMicros is not null)
        {
            // Under the owner's account lock, which every reservation and settlement takes: no request of the key can
            // open or close its hold between counting the key's spend and saving the budget.
            db.ChangeTracker.Clear();
            await accountLock.RunAsync(key.UserId, async (_, ct) =>
            {
                var locked = await db.ApiKeys.FirstAsync(k => k.Id == keyId, ct);
                change(locked);
                await CountSpendSoFarAsync(locked.UserId, keyId, ct);
                return true;
            }, cancellationToken);
        }
        else
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        Forget([key.SecretHash, key.PreviousSecretHash]);
        return true;
    }

    /// <summary>A budget counts what the key already spent, so the usage records it reads must be written first.</summary>
    private async Task FlushUsageBeforeBudgetAsync(ApiKeyLimits limits, CancellationToken cancellationToken)
    {
        if (limits.BudgetMicros is not null)
        {
            await usage.FlushAsync(cancellationToken);
        }
    }

    /// <summary>
    /// A key that gets a budget: its spend so far, day by day from its usage records, becomes the spend the budget
    /// counts (saved with the budget itself). Without a budget nothing tracked the key's spend, so a budget set mid-month
    /// would otherwise start from zero. Requests still running count what they hold, on the day they started, and their
    /// holds are tied to the budget so that settling them moves that day to what they were charged, as for a request
    /// that started under the budget. Runs under the owner's account lock.
    /// </summary>
    private async Task CountSpendSoFarAsync(string userId, Guid keyId, CancellationToken cancellationToken)
    {
        var perDay = new Dictionary<int, long>();
        await foreach (var record in db.UsageRecords.AsNoTracking().Where(u => u.ApiKeyId == keyId && u.CostMicros > 0)
            .Select(u => new { u.CreatedAt, u.CostMicros }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var day = BudgetCalendar.Day(record.CreatedAt);
            perDay[day] = perDay.GetValueOrDefault(day) + record.CostMicros;
        }

        // The key's holds still open, and those settled so lately that their usage record is not written yet (the
        // writer was flushed before the lock was taken; a request may have settled in between).
        var lately = clock.GetUtcNow() - RecentlySettled;
        foreach (var hold in await db.CreditReservations
            .Where(r => r.UserId == userId && r.BudgetKeyId == keyId && r.BudgetDay == null
                && (r.Status == ReservationStatus.Open
                    || (r.Status == ReservationStatus.Settled && r.ChargedMicros > 0 && r.ClosedAt >= lately && !db.UsageRecords.Any(u => u.InferenceId == r.InferenceId))))
            .ToListAsync(cancellationToken))
        {
            var day = BudgetCalendar.Day(hold.CreatedAt);
            if (hold.Status == ReservationStatus.Open)
            {
                // Tied to the budget: settling it moves this day from the hold to what it was charged.
                hold.BudgetDay = day;
                perDay[day] = perDay.GetValueOrDefault(day) + hold.HeldMicros;
            }
            else
            {
                perDay[day] = perDay.GetValueOrDefault(day) + hold.ChargedMicros;
            }
        }

        // Rows left from an earlier budget are replaced (updated in place: a row deleted and added again in one save
        // would be two instances of one key).
        foreach (var row in await db.ApiKeySpend.Where(s => s.KeyId == keyId).ToListAsync(cancellationToken))
        {
            if (perDay.Remove(row.Day, out var spent))
            {
                row.SpentMicros = spent;
            }
            else
            {
                db.ApiKeySpend.Remove(row);
            }
        }

        foreach (var (day, spent) in perDay)
        {
            db.ApiKeySpend.Add(new ApiKeySpend { KeyId = keyId, Day = day, SpentMicros = spent });
        }
    }

    private void Forget(IEnumerable<string?> hashes)
    {
        foreach (var hash in hashes)
        {
            if (hash is not null)
            {
                cache.Remove(CacheKey(hash));
            }
        }
    }

    private static void Apply(ApiKey key, ApiKeyLimits limits, List<string>? allowed)
    {
        key.RequestsPerMinute = limits.RequestsPerMinute;
        key.TokensPerMinute = limits.TokensPerMinute;
        key.MaxConcurrency = limits.MaxConcurrency;
        key.ExpiresAt = limits.ExpiresAt;
        key.BudgetMicros = limits.BudgetMicros;
        key.BudgetPeriod = limits.BudgetPeriod;
        key.AllowedModels = allowed;
    }

    /// <summary>The allow-list as catalog ids (<c>--</c> spellings resolved), each once; every unknown id is a problem.</summary>
    private List<string>? CheckModels(ApiKeyLimits limits, List<string> problems)
    {
        if (limits.AllowedModels is not { Count: > 0 } requested)
        {
            return null;
        }

        var allowed = new List<string>();
        var unknown = new List<string>();
        foreach (var id in requested)
        {
            if (models.Find(id.Trim()) is { } model)
            {
                if (!allowed.Contains(model.Id, StringComparer.Ordinal))
                {
                    allowed.Add(model.Id);
                }
            }
            else
            {
                unknown.Add(id.Trim());
            }
        }

        if (unknown.Count > 0)
        {
            problems.Add($"allowed models: no model has the id {string.Join(", ", unknown.Select(id => $"'{id}'"))} (known: {(models.List() is { Count: > 0 } known ? string.Join(", ", known.Select(m => m.Id)) : "none")})");
        }

        return allowed;
    }

    private static void CheckName(string? name, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            problems.Add("name is required");
        }
        else if (name.Trim().Length > MaxNameLength)
        {
            problems.Add($"name must be at most {MaxNameLength} characters");
        }
    }

    private static void ThrowIfAny(IReadOnlyList<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new ApiKeyValidationException(problems);
        }
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private static string CacheKey(string hash) => "apikey:" + hash;

    /// <param name="ValidUntil">Key expiry, or for an old secret the earlier of that and the end of its grace.</param>
    private sealed record CachedKey(AuthenticatedKey? Key, DateTimeOffset? RevokedAt, DateTimeOffset? ValidUntil)
    {
        public static readonly CachedKey Unknown = new(null, null, null);
    }
}

/// <summary>Key input that cannot be saved, with every problem named.</summary>
public sealed class ApiKeyValidationException(IReadOnlyList<string> problems) : Exception(string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
