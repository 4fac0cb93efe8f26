using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AkashML.Billing.TopUp;

/// <summary>Charges queued auto top-ups one at a time; at start it re-queues those a previous run left uncharged.</summary>
public sealed class AutoTopUpWorker(AutoTopUpQueue queue, IServiceScopeFactory scopes, ILogger<AutoTopUpWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RequeueUnchargedAsync(stoppingToken);
        await foreach (var paymentId in queue.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<AutoTopUpCharger>().ChargeAsync(paymentId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogError(ex, "Auto top-up {PaymentId} could not be processed", paymentId);
            }
        }
    }

    private async Task RequeueUnchargedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
            var pending = await db.Payments.AsNoTracking()
                .Where(p => p.Kind == PaymentKind.AutoTopUp && p.Status == PaymentStatus.Pending && p.PaymentIntentId == null)
                .Select(p => p.Id)
                .ToListAsync(cancellationToken);
            foreach (var id in pending)
            {
                queue.Enqueue(id);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            logger.LogError(ex, "Could not look for auto top-ups left uncharged");
        }
    }
}
