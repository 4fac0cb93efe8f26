using AkashML.Billing.Reservations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AkashML.Billing.Ledger;

/// <summary>
/// At start (before the host serves): releases the reservations this instance's previous run left open (a crash
/// mid-request), records expired remainders and checks the ledger. Then, periodically: the same for reservations
/// older than <see cref="BillingOptions.StaleReservationAfter"/>, expiry, and the ledger check.
/// </summary>
public sealed class BillingMaintenance(IServiceScopeFactory scopes, TimeProvider clock, IOptions<BillingOptions> options, ILogger<BillingMaintenance> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RunOnceAsync(options.Value.ResolvedInstanceId, check: true, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>One round; returns the ledger check when asked for one (null when the round failed).</summary>
    public async Task<LedgerCheckReport?> RunOnceAsync(string? previousRunOf, bool check, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var released = await scope.ServiceProvider.GetRequiredService<CreditReservations>().ReleaseStaleAsync(previousRunOf, cancellationToken);
            var ledger = scope.ServiceProvider.GetRequiredService<CreditLedger>();
            await ledger.ExpireDueAsync(cancellationToken);
            if (released > 0)
            {
                logger.LogWarning("Released {Count} reservations of requests that can no longer finish", released);
            }

            if (!check)
            {
                return null;
            }

            var report = await ledger.CheckAsync(cancellationToken);
            if (report.IsConsistent)
            {
                logger.LogInformation("Ledger check: {Pools} pools and {Reservations} reservations agree with the ledger", report.PoolsChecked, report.ReservationsChecked);
            }
            else
            {
                logger.LogError("Ledger check: {Drifts} disagreements between pools or reservations and the ledger", report.Drifts.Count);
            }

            return report;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // Billing upkeep must not stop the host; the next round tries again.
            logger.LogError(ex, "Billing maintenance failed");
            return null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastCheck = clock.GetUtcNow();
        using var timer = new PeriodicTimer(options.Value.MaintenanceInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var check = clock.GetUtcNow() - lastCheck >= options.Value.LedgerCheckInterval;
                await RunOnceAsync(previousRunOf: null, check, stoppingToken);
                if (check)
                {
                    lastCheck = clock.GetUtcNow();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }
}
