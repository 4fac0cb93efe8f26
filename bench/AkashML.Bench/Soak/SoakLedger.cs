using AkashML.Data;
using AkashML.Data.Billing;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Bench.Soak;

/// <summary>The money after a soak: holds still open, pools whose remainder is not the sum of their ledger entries, and what usage charged.</summary>
public sealed record SoakLedger(int OpenReservations, int Pools, int PoolsNotSumming, long RemainingMicros, long UsageChargedMicros)
{
    /// <summary>Reads it for <paramref name="userId"/> with the host's own services (write the queued usage records first).</summary>
    public static async Task<SoakLedger> ReadAsync(IServiceProvider services, string userId)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var open = await db.CreditReservations.CountAsync(r => r.UserId == userId && r.Status == ReservationStatus.Open);
        var pools = await db.CreditPools.AsNoTracking().Where(p => p.UserId == userId).ToListAsync();
        var entries = await db.LedgerEntries.AsNoTracking().Where(e => e.UserId == userId).ToListAsync();
        var notSumming = pools.Count(pool => pool.RemainingMicros != entries.Where(e => e.PoolId == pool.Id).Sum(e => e.AmountMicros));
        var charged = await db.UsageRecords.Where(u => u.UserId == userId).SumAsync(u => u.CostMicros);
        return new SoakLedger(open, pools.Count, notSumming, pools.Sum(p => p.RemainingMicros), charged);
    }
}
