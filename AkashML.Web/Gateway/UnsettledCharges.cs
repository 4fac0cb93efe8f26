using System.Threading.Channels;
using AkashML.Billing.Reservations;

namespace AkashML.Web.Gateway;

/// <summary>
/// Closes the credit holds whose settlement the database refused (full, or away for longer than a call waits): retried
/// in the background until the database takes them, so each hold is closed exactly once as soon as space or the server
/// returns (closing is idempotent), instead of staying open until the stale sweep releases it — which would also give a
/// streamed answer away for free. Holds still pending when the host stops are released by its next start.
/// </summary>
public sealed class UnsettledCharges(CreditMetering metering, ILogger<UnsettledCharges> logger) : BackgroundService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(5);

    private readonly Channel<UnsettledCharge> _pending = Channel.CreateUnbounded<UnsettledCharge>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Hands over a hold to close; the charge's tokens are zero when the caller got an error instead of the answer.</summary>
    public void Enqueue(UnsettledCharge charge)
    {
        ArgumentNullException.ThrowIfNull(charge);
        if (!_pending.Writer.TryWrite(charge))
        {
            logger.LogError("Host stopping: the hold of {InferenceId} stays open until the next start releases it", charge.Reservation.Hold.InferenceId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // One at a time: while the database refuses one, it refuses the others too.
            await foreach (var charge in _pending.Reader.ReadAllAsync(stoppingToken))
            {
                await CloseAsync(charge, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _pending.Writer.TryComplete();
            while (_pending.Reader.TryRead(out var left))
            {
                logger.LogError("Host stopping: the hold of {InferenceId} stays open until the next start releases it", left.Reservation.Hold.InferenceId);
            }
        }
    }

    private async Task CloseAsync(UnsettledCharge charge, CancellationToken stoppingToken)
    {
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                var cost = await metering.SettleAsync(charge.Reservation, charge.UserId, charge.PromptTokens, charge.CachedPromptTokens, charge.CompletionTokens);
                logger.LogInformation("Closed the hold of {InferenceId} once the database took it: charged {CostMicros} micro-dollars", charge.Reservation.Hold.InferenceId, cost);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var status = ApiException.From(ex).Status;
                if (status is not (StatusCodes.Status503ServiceUnavailable or StatusCodes.Status507InsufficientStorage))
                {
                    // Not the database's passing trouble: the stale sweep releases the hold.
                    logger.LogError(ex, "Could not close the hold of {InferenceId}; the stale sweep will release it", charge.Reservation.Hold.InferenceId);
                    return;
                }
            }

            await Task.Delay(delay, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestDelay.Ticks));
        }
    }
}

/// <summary>
/// A hold to close later and the tokens to charge for (none when the caller got an error instead of the answer).
/// </summary>
public sealed record UnsettledCharge(RequestReservation Reservation, string UserId, int PromptTokens, int CachedPromptTokens, int CompletionTokens);
