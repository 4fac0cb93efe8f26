using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Keys;

/// <summary>Creates, lists, revokes and authenticates API keys.</summary>
public sealed class ApiKeyService(
    AkashDbContext db,
    ApiKeyHasher hasher,
    IMemoryCache cache,
    IOptions<ApiKeyOptions> options,
    SqliteWriteGate sqliteGate,
    TimeProvider clock)
{
    /// <summary>Creates a key and returns it with its secret, which is never retrievable again.</summary>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(string userId, string name, ApiKeyLimits limits, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(name))
        {
            problems.Add("name is required");
        }
        else if (name.Trim().Length > 100)
        {
            problems.Add("name must be at most 100 characters");
        }

        problems.AddRange(limits.Validate(clock.GetUtcNow()));
        if (problems.Count > 0)
        {
            throw new ApiKeyValidationException(problems);
        }

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
            CreatedAt = clock.GetUtcNow(),
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return (key, secret);
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(string userId, CancellationToken cancellationToken) =>
        await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId).OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);

    /// <summary>Revokes a key; this replica stops accepting it at once, others when their short cache expires.</summary>
    public async Task<bool> RevokeAsync(Guid keyId, string? ownerId, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && (ownerId == null || k.UserId == ownerId), cancellationToken);
        if (key is null)
        {
            return false;
        }

        key.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        cache.Remove(CacheKey(key.SecretHash));
        return true;
    }

    /// <summary>The key behind a presented secret, or null when it is unknown, revoked or expired.</summary>
    public async Task<AuthenticatedKey?> AuthenticateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (presented is null || !ApiKeySecret.HasValidShape(presented))
        {
            return null;
        }

        // The lookup is by the HMAC of the secret, so timing reveals nothing about stored secrets.
        var hash = hasher.Hash(presented);
        var cacheKey = CacheKey(hash);
        if (!cache.TryGetValue(cacheKey, out CachedKey? cached))
        {
            var row = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.SecretHash == hash, cancellationToken);
            cached = row is null ? CachedKey.Unknown : new CachedKey(
                new AuthenticatedKey(row.Id, row.UserId, row.Name, new ApiKeyLimits(row.RequestsPerMinute, row.TokensPerMinute, row.MaxConcurrency, row.ExpiresAt)),
                row.RevokedAt);
            cache.Set(cacheKey, cached, options.Value.CacheDuration);
            if (row is not null)
            {
                // SQLite has one writer at a time: queue behind the credit updates instead of retrying on "database is locked".
                using var gate = db is SqliteAkashDbContext ? await sqliteGate.EnterAsync(cancellationToken) : null;
                await db.ApiKeys.Where(k => k.Id == row.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, clock.GetUtcNow()), cancellationToken);
            }
        }

        var now = clock.GetUtcNow();
        return cached!.Key is { } key && cached.RevokedAt is null && (key.Limits.ExpiresAt is null || key.Limits.ExpiresAt > now)
            ? key
            : null;
    }

    private static string CacheKey(string hash) => "apikey:" + hash;

    private sealed record CachedKey(AuthenticatedKey? Key, DateTimeOffset? RevokedAt)
    {
        public static readonly CachedKey Unknown = new(null, null);
    }
}

/// <summary>Key input that cannot be saved, with every problem named.</summary>
public sealed class ApiKeyValidationException(IReadOnlyList<string> problems) : Exception(string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
