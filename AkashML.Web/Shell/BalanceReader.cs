using AkashML.Data;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Shell;

/// <summary>
/// The usable balance shown in the app bar and on the overview: one indexed SUM over the user's live pools, read fresh
/// on every call (a circuit lives for hours, so nothing is cached here).
/// </summary>
/// <remarks>
/// It reads through its own scope's <see cref="AkashDbContext"/>: in a circuit the app bar and the page run queries at
/// the same time, and a context allows one operation at a time.
/// </remarks>
public sealed class BalanceReader(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>Spendable micro-dollars now: remainders of pools that have not expired (what open requests hold is already out).</summary>
    public async Task<long> GetUsableMicrosAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var now = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        return await db.CreditPools.AsNoTracking()
            .Where(p => p.UserId == userId && p.RemainingMicros > 0 && (p.ExpiresAt == null || p.ExpiresAt > now))
            .SumAsync(p => (long?)p.RemainingMicros, cancellationToken) ?? 0;
    }
}
