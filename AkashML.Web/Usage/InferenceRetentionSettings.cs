using AkashML.Data;
using AkashML.Data.Inferences;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace AkashML.Web.Usage;

/// <summary>
/// Whether a user keeps the prompt and output of their requests, and for how many days. Read on every settled request,
/// so it is cached briefly; a change made here applies at once on this replica. Reads and writes through its own scope,
/// because the inferences page (a long-lived circuit) uses it while its grid queries.
/// </summary>
public sealed class InferenceRetentionSettings(IServiceScopeFactory scopes, IMemoryCache cache, TimeProvider clock)
{
    private static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(30);

    /// <summary>Retention in days, or null when it is off (the default).</summary>
    public async Task<int?> GetDaysAsync(string userId, CancellationToken cancellationToken)
    {
        var key = CacheKey(userId);
        if (cache.TryGetValue(key, out int? days))
        {
            return days;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        days = await db.InferenceRetention.AsNoTracking().Where(r => r.UserId == userId).Select(r => (int?)r.Days).FirstOrDefaultAsync(cancellationToken);
        cache.Set(key, days, CacheDuration);
        return days;
    }

    /// <summary>
    /// Turns retention on for <paramref name="days"/> days (1 to <see cref="InferenceRetention.MaxDays"/>) or off (null).
    /// Turning it off also deletes everything kept so far.
    /// </summary>
    public async Task SetAsync(string userId, int? days, CancellationToken cancellationToken)
    {
        if (days is < 1 or > InferenceRetention.MaxDays)
        {
            throw new ArgumentOutOfRangeException(nameof(days), days, $"retention must be between 1 and {InferenceRetention.MaxDays} days");
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var row = await db.InferenceRetention.FirstOrDefaultAsync(r => r.UserId == userId, cancellationToken);
        if (days is { } keep)
        {
            if (row is null)
            {
                db.InferenceRetention.Add(new InferenceRetention { UserId = userId, Days = keep, UpdatedAt = clock.GetUtcNow() });
            }
            else
            {
                row.Days = keep;
                row.UpdatedAt = clock.GetUtcNow();
            }

            await db.SaveChangesAsync(cancellationToken);
        }
        else
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (row is not null)
            {
                db.InferenceRetention.Remove(row);
                await db.SaveChangesAsync(cancellationToken);
            }

            await db.InferencePayloads.Where(p => p.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        cache.Remove(CacheKey(userId));
    }

    private static string CacheKey(string userId) => "retention:" + userId;
}
