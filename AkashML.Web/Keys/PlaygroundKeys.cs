using System.Security.Cryptography;
using System.Text;
using AkashML.Data;
using AkashML.Data.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace AkashML.Web.Keys;

/// <summary>
/// The playground's identity on the API pipeline: one hidden API key row per user, created on first use. Playground
/// traffic then flows through the same metering, limits and usage records as any key's, keyed by a real key id (so
/// usage can be filtered by it and limits set on it), while no secret exists that could authenticate it over the API:
/// its stored hash is not an HMAC of any secret. The Keys page does not list it (<see cref="ApiKeyService.ListAsync"/>).
/// </summary>
public sealed class PlaygroundKeys(IServiceScopeFactory scopes, IMemoryCache cache, TimeProvider clock)
{
    /// <summary>The <see cref="ApiKey.Prefix"/> that marks the hidden rows.</summary>
    public const string Prefix = "playground";

    public const string Name = "Playground";

    private static readonly TimeSpan CacheDuration = TimeSpan.FromMinutes(1);

    private const int MaxCreateAttempts = 3;

    /// <summary>The same id for the same user on every replica, so concurrent first uses converge on one row.</summary>
    public static Guid KeyIdFor(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("akashml-playground-key\n" + userId), hash);
        return new Guid(hash[..16]);
    }

    /// <summary>The signed-in user's playground key (created when missing).</summary>
    public async Task<AuthenticatedKey> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var cacheKey = "playground-key:" + userId;
        if (cache.TryGetValue(cacheKey, out AuthenticatedKey? cached) && cached is not null)
        {
            return cached;
        }

        var id = KeyIdFor(userId);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        ApiKey? row = null;
        for (var attempt = 1; row is null; attempt++)
        {
            row = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
            if (row is not null)
            {
                break;
            }

            var created = NewRow(id, userId);
            db.ApiKeys.Add(created);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                row = created;
            }
            catch (DbUpdateException) when (attempt < MaxCreateAttempts)
            {
                // A concurrent first use inserted the same row (use it), or held the database (SQLite): read again.
                db.ChangeTracker.Clear();
            }
        }

        var key = new AuthenticatedKey(row.Id, row.UserId, row.Name, ApiKeyLimits.Of(row) with { ExpiresAt = null });
        cache.Set(cacheKey, key, CacheDuration);
        return key;
    }

    /// <summary>
    /// The key a playground reply runs as: the hidden playground key when <paramref name="keyId"/> is null, otherwise
    /// that key of the user's, read fresh (its budget and allow-list as they are now). 403 when it is not the user's
    /// key, or is revoked or expired.
    /// </summary>
    public async Task<AuthenticatedKey> GetAsync(string userId, Guid? keyId, CancellationToken cancellationToken)
    {
        if (keyId is not { } id)
        {
            return await GetAsync(userId, cancellationToken);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var row = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id && k.UserId == userId && k.Prefix != Prefix, cancellationToken);
        var now = clock.GetUtcNow();
        return row is null ? throw Refused("The chosen key does not exist; pick another one to run as.")
            : row.RevokedAt is not null ? throw Refused($"The key '{row.Name}' is revoked; pick another one to run as.")
            : row.ExpiresAt <= now ? throw Refused($"The key '{row.Name}' has expired; pick another one to run as.")
            : new AuthenticatedKey(row.Id, row.UserId, row.Name, ApiKeyLimits.Of(row));
    }

    private static Gateway.ApiException Refused(string message) =>
        new(StatusCodes.Status403Forbidden, Gateway.ApiErrorKind.PermissionDenied, message, code: "key_unavailable");

    private ApiKey NewRow(Guid id, string userId) => new()
    {
        Id = id,
        UserId = userId,
        Name = Name,
        SecretHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("akashml-playground-secret\n" + userId))),
        Prefix = Prefix,
        LastFour = "----",
        CreatedAt = clock.GetUtcNow(),
    };
}
