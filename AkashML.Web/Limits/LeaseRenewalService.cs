using Microsoft.Extensions.Options;

namespace AkashML.Web.Limits;

/// <summary>
/// Renews the concurrency leases of requests still running on this replica, three times per lease duration, so a long
/// stream keeps its slot while a crashed replica's slots come free within one lease duration.
/// </summary>
public sealed class LeaseRenewalService(KeyLimiter limiter, IOptions<LimitOptions> options, ILogger<LeaseRenewalService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ConcurrencyLeaseDuration / 3);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await limiter.RenewHeldLeasesAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The next tick tries again; a lease only lapses after a whole lease duration without renewal.
                logger.LogWarning(ex, "Could not renew concurrency leases");
            }
        }
    }
}
