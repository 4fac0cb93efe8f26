using AkashML.Data;
using AkashML.Data.Backends;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Backends;

/// <summary>
/// Drain state shared by every gateway replica: draining writes a <see cref="BackendDrain"/> row, undraining deletes
/// it, and each replica applies the rows to its own pools (<see cref="RefreshAsync"/>, run by
/// <see cref="BackendDrainSync"/> every <see cref="BackendsOptions.DrainRefresh"/>), so a drain reaches every replica
/// within that interval. The replica that acted applies its change at once.
/// </summary>
public sealed class BackendDrains(IServiceScopeFactory scopes, BackendRouter router, TimeProvider clock)
{
    // Bumped by each drain or undrain made here, so a refresh whose read began before it does not undo it.
    private long _changes;

    /// <summary>Stops new requests to <paramref name="backend"/> of <paramref name="pool"/> on every replica.</summary>
    public async Task DrainAsync(BackendPool pool, BackendState backend, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(backend);
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
            var target = StoredTarget(backend);
            var row = await db.BackendDrains.SingleOrDefaultAsync(d => d.ModelId == pool.ModelId && d.BackendIndex == backend.Index, cancellationToken);
            if (row is null)
            {
                db.BackendDrains.Add(new BackendDrain { ModelId = pool.ModelId, BackendIndex = backend.Index, Target = target, DrainedAt = clock.GetUtcNow() });
            }
            else
            {
                row.Target = target;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException) when (row is null)
            {
                // Most likely another replica drained it at the same moment (drained either way); anything else rethrows.
                if (!await db.BackendDrains.AsNoTracking().AnyAsync(d => d.ModelId == pool.ModelId && d.BackendIndex == backend.Index, cancellationToken))
                {
                    throw;
                }
            }
        }

        pool.Drain(backend.Index);
        Interlocked.Increment(ref _changes);
    }

    /// <summary>Lets new requests reach the backend again, on every replica.</summary>
    public async Task UndrainAsync(BackendPool pool, BackendState backend, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(backend);
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
            await db.BackendDrains.Where(d => d.ModelId == pool.ModelId && d.BackendIndex == backend.Index).ExecuteDeleteAsync(cancellationToken);
        }

        pool.Undrain(backend.Index);
        Interlocked.Increment(ref _changes);
    }

    /// <summary>Reads every drain row and makes this replica's pools agree: a backend is drained exactly when its row exists.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (router.Pools.Count == 0)
        {
            return;
        }

        var changes = Interlocked.Read(ref _changes);
        List<BackendDrain> rows;
        await using (var scope = scopes.CreateAsyncScope())
        {
            rows = await scope.ServiceProvider.GetRequiredService<AkashDbContext>().BackendDrains.AsNoTracking().ToListAsync(cancellationToken);
        }

        if (Interlocked.Read(ref _changes) != changes)
        {
            // A change made here meanwhile may be newer than what was read; the next refresh reads it.
            return;
        }

        var drained = rows.Select(r => (r.ModelId, r.BackendIndex, r.Target)).ToHashSet();
        foreach (var pool in router.Pools)
        {
            foreach (var backend in pool.Backends)
            {
                var shouldBe = drained.Contains((pool.ModelId, backend.Index, StoredTarget(backend)));
                if (shouldBe && !backend.Drained)
                {
                    pool.Drain(backend.Index);
                }
                else if (!shouldBe && backend.Drained)
                {
                    pool.Undrain(backend.Index);
                }
            }
        }
    }

    private static string StoredTarget(BackendState backend) =>
        backend.Target.Length <= BackendDrain.MaxTargetLength ? backend.Target : backend.Target[..BackendDrain.MaxTargetLength];
}
