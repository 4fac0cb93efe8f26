using System.Threading.Channels;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Usage;

namespace AkashML.Web.Api.Usage;

/// <summary>
/// Inserts usage records in the background, in batches, so a request does not wait for its own row (DESIGN.md, step 7).
/// The queue is bounded: when the database falls behind, requests wait for room instead of piling up memory. Stopping the
/// host writes what is queued; a record handed over after that is written at once.
/// </summary>
public sealed class UsageWriter(IServiceScopeFactory scopes, SqliteWriteGate sqliteGate, ILogger<UsageWriter> logger) : IHostedService
{
    public const int Capacity = 10_000;

    public const int MaxBatch = 500;

    /// <summary>How long a record may wait for others to share its insert (and so how late a usage row can appear).</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(50);

    private readonly Channel<UsageRecord> _queue = Channel.CreateBounded<UsageRecord>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private Task _drain = Task.CompletedTask;

    /// <summary>Hands a record over; returns once it is queued (or, after shutdown began, written).</summary>
    public async ValueTask EnqueueAsync(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            await _queue.Writer.WriteAsync(record, CancellationToken.None);
        }
        catch (ChannelClosedException)
        {
            await WriteAsync([record]);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _drain = Task.Run(DrainAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Closes the queue and waits until what it holds is written (or the host gives up waiting).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _drain.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync()
    {
        // Not cancellable: the loop ends once StopAsync has closed the queue and everything queued is written.
        var batch = new List<UsageRecord>(MaxBatch);
        var behind = false;
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // Gather what arrives shortly after the first record, so one transaction carries many rows (no pause while behind).
            if (!behind)
            {
                await Task.Delay(Linger, CancellationToken.None);
            }

            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            behind = batch.Count == MaxBatch;
            await WriteAsync(batch);
            batch.Clear();
        }
    }

    private async Task WriteAsync(IReadOnlyList<UsageRecord> batch)
    {
        if (await TryWriteAsync(batch, logFailure: batch.Count == 1))
        {
            return;
        }

        // One bad row must not cost the others theirs.
        foreach (var record in batch.Count > 1 ? batch : [])
        {
            await TryWriteAsync([record], logFailure: true);
        }
    }

    private async Task<bool> TryWriteAsync(IReadOnlyList<UsageRecord> batch, bool logFailure)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();

            // SQLite has one writer at a time: queue behind the credit updates instead of retrying on "database is locked".
            using var gate = db is SqliteAkashDbContext ? await sqliteGate.EnterAsync(CancellationToken.None) : null;
            db.UsageRecords.AddRange(batch);
            await db.SaveChangesAsync(CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Losing a usage row must not stop the writer; it is logged for reconciliation.
            if (logFailure)
            {
                logger.LogError(ex, "Could not write the usage record of {InferenceId}", batch[0].InferenceId);
            }

            return false;
        }
    }
}
