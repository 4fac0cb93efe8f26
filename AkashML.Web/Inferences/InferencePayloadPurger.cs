using AkashML.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using AkashML.Web.Usage;

namespace AkashML.Web.Inferences;

/// <summary>Deletes kept prompts and outputs whose retention has run out: at start, then every <see cref="InferenceRetentionOptions.PurgeInterval"/>.</summary>
public sealed class InferencePayloadPurger(IServiceScopeFactory scopes, TimeProvider clock, IOptions<InferenceRetentionOptions> options, ILogger<InferencePayloadPurger> logger)
    : BackgroundService
{
    /// <summary>One purge pass; returns how many payloads were deleted.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var now = clock.GetUtcNow();
        return await db.InferencePayloads.Where(p => p.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, clock);
        try
        {
            do
            {
                try
                {
                    var purged = await PurgeAsync(stoppingToken);
                    if (purged > 0)
                    {
                        logger.LogInformation("Purged {Count} expired inference payloads", purged);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    // The next pass retries; a missed pass only keeps expired rows a little longer.
                    logger.LogWarning(ex, "Purging expired inference payloads failed");
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
