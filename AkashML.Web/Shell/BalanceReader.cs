using AkashML.Data;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Shell;

/// <summary>
/// The usable balance shown in the header on every page: one indexed SUM over the user's live pools, read once per
/// request (the service is scoped) and shared by every component of the page that asks.
/// </summary>
/// <remarks>
/// It reads through its own scope's <see cref="AkashDbContext"/>: the header renders while the page's own components
/// are still awaiting queries on the request's context, and a context allows one operation at a time.
/// </remarks>
public sealed class BalanceReader(IServiceScopeFactory scopes, TimeProvider clock)
{
    private readonly Dictionary<string, Task<long>> _cache = new(StringComparer.Ordinal);

    /// <summary>Spendable micro-dollars now: remainders of pools that have not expired (what open requests hold is already out).</summary>
    public Task<long> GetUsableMicrosAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (!_cache.TryGetValue(userId, out var pending))
        {
            pending = ReadAsync(userId, cancellationToken);
            _cache[userId] = pending;
        }

        return pending;
    }

    private async Task<long> ReadAsync(string userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        return await db.CreditPools.AsNoTracking()
            .Where(p => p.UserId == userId && p.RemainingMicros > 0 && (p.ExpiresAt == null || p.ExpiresAt > now))
            .SumAsync(p => (long?)p.RemainingMicros, cancellationToken) ?? 0;
    }
}
