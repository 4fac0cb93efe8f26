using Microsoft.Extensions.Options;

namespace AkashML.Web.Backends;

/// <summary>
/// Applies the shared drain state (<see cref="BackendDrains"/>) to this replica's pools at start and every
/// <see cref="BackendsOptions.DrainRefresh"/>: how stale a replica's view of another's drain can be.
/// </summary>
public sealed class BackendDrainSync(BackendDrains drains, BackendRouter router, IOptions<BackendsOptions> options, TimeProvider clock, ILogger<BackendDrainSync> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (router.Pools.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.DrainRefresh, clock);
        try
        {
            do
            {
                try
                {
                    await drains.RefreshAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    // The pools keep the last state read; the next tick tries again.
                    logger.LogWarning(ex, "Reading the shared backend drain state failed");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }
}
