using Microsoft.Extensions.Options;

namespace AkashML.Web.Backends;

/// <summary>
/// Probes every enabled backend each <see cref="BackendHealthCheckOptions.Interval"/> (each probe bounded by
/// <see cref="BackendHealthCheckOptions.Timeout"/>): <see cref="BackendHealthCheckOptions.UnhealthyThreshold"/>
/// failures in a row take a backend out, <see cref="BackendHealthCheckOptions.HealthyThreshold"/> successes bring it back.
/// </summary>
public sealed class BackendHealthChecker(BackendRouter router, IOptions<BackendsOptions> options, ILogger<BackendHealthChecker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (router.Pools.Count == 0)
        {
            return;
        }

        var health = options.Value.HealthCheck;
        using var timer = new PeriodicTimer(health.Interval);
        do
        {
            await Task.WhenAll(router.Pools.SelectMany(pool => pool.Backends.Where(b => b.Entry.Enabled).Select(b => ProbeAsync(pool, b, health.Timeout, stoppingToken))));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ProbeAsync(BackendPool pool, BackendState backend, TimeSpan timeout, CancellationToken stoppingToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        bounded.CancelAfter(timeout);
        try
        {
            await backend.Backend.ProbeAsync(bounded.Token);
            pool.Probed(backend, null);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            var failure = ex is OperationCanceledException ? new TimeoutException($"The health check took longer than {timeout}.") : ex;
            if (backend.Healthy)
            {
                logger.LogWarning("Health check of backend {Index} ({Kind} {Target}) of {Model} failed: {Error}", backend.Index, backend.Kind, backend.Target, pool.ModelId, failure.Message);
            }

            pool.Probed(backend, failure);
        }
    }
}
