using System.Text.Json.Nodes;
using System.Threading.Channels;
using AkashML.Data;
using AkashML.Data.Inferences;
using AkashML.Data.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Usage;

/// <summary>
/// Writes usage records in the background, in batches, so a request does not wait for its own row (DESIGN.md, step 7).
/// One transaction per batch inserts the records, adds them to their hourly and daily rollups (one upsert per bucket)
/// and keeps the prompts and outputs of users who turned retention on. The queue is bounded: when the database falls
/// behind, requests wait for room instead of piling up memory. Stopping the host writes what is queued; a record
/// handed over after that is written at once.
/// </summary>
public sealed class UsageWriter(
    IServiceScopeFactory scopes,
    SqliteWriteGate sqliteGate,
    IOptions<InferenceRetentionOptions> retentionOptions,
    ILogger<UsageWriter> logger) : IHostedService
{
    public const int Capacity = 10_000;

    public const int MaxBatch = 500;

    /// <summary>How long a record may wait for others to share its insert (and so how late a usage row can appear).</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(50);

    private readonly Channel<Queued> _queue = Channel.CreateBounded<Queued>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private Task _drain = Task.CompletedTask;

    // Records handed over and not yet written (or given up on): a flush with nothing pending costs nothing.
    private long _pending;

    // Completed by a flush so the writer stops lingering for company and writes now.
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Hands a record over; returns once it is queued (or, after shutdown began, written). With a request body and a
    /// user, the request and <paramref name="outputText"/> are kept too when that user turned retention on.
    /// </summary>
    public async ValueTask EnqueueAsync(UsageRecord record, JsonObject? requestBody = null, string? outputText = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entry = new Entry(record, requestBody, outputText);
        Interlocked.Increment(ref _pending);
        try
        {
            await _queue.Writer.WriteAsync(new Queued(entry, null), CancellationToken.None);
        }
        catch (ChannelClosedException)
        {
            try
            {
                await WriteAsync([entry]);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    /// <summary>
    /// Returns once every record handed over before the call is written (or failed and was logged), without waiting
    /// for the linger; at once when nothing is pending. Pages that show usage call it, so a request just made appears.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Read(ref _pending) == 0)
        {
            return;
        }

        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Queued(null, written), cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // Stopping: the drain writes everything queued before it ends; later records are written as they arrive.
            await _drain.WaitAsync(cancellationToken);
            return;
        }

        Volatile.Read(ref _wake).TrySetResult();
        await written.Task.WaitAsync(cancellationToken);
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
        try
        {
            await _drain.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host stopped waiting (its shutdown timeout): say so rather than fail the whole stop.
            logger.LogWarning("The host stopped before every queued usage record was written");
        }
    }

    private async Task DrainAsync()
    {
        // Not cancellable: the loop ends once StopAsync has closed the queue and everything queued is written.
        var batch = new List<Entry>(MaxBatch);
        var flushes = new List<TaskCompletionSource>();
        var behind = false;
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // Gather what arrives shortly after the first record, so one transaction carries many rows (no pause while
            // behind, nor when a flush is waiting).
            if (!behind && !(_queue.Reader.TryPeek(out var head) && head.Flushed is not null))
            {
                await Task.WhenAny(Task.Delay(Linger, CancellationToken.None), Volatile.Read(ref _wake).Task);
            }

            if (_wake.Task.IsCompleted)
            {
                Volatile.Write(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                if (item.Flushed is { } flushed)
                {
                    flushes.Add(flushed);
                }
                else
                {
                    batch.Add(item.Entry!);
                }
            }

            behind = batch.Count == MaxBatch;
            if (batch.Count > 0)
            {
                await WriteAsync(batch);
                Interlocked.Add(ref _pending, -batch.Count);
            }

            // Every record queued before these flushes was read no later than they were, so it is in the database now.
            foreach (var flushed in flushes)
            {
                flushed.TrySetResult();
            }

            batch.Clear();
            flushes.Clear();
        }
    }

    private async Task WriteAsync(IReadOnlyList<Entry> batch)
    {
        if (await TryWriteAsync(batch, logFailure: batch.Count == 1))
        {
            return;
        }

        // One bad row must not cost the others theirs.
        foreach (var entry in batch.Count > 1 ? batch : [])
        {
            await TryWriteAsync([entry], logFailure: true);
        }
    }

    private async Task<bool> TryWriteAsync(IReadOnlyList<Entry> batch, bool logFailure)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
            var records = batch.Select(e => e.Record).ToList();
            var payloads = await PayloadsAsync(scope.ServiceProvider.GetRequiredService<InferenceRetentionSettings>(), batch);

            // SQLite has one writer at a time: queue behind the credit updates instead of retrying on "database is locked".
            using var gate = db is SqliteAkashDbContext ? await sqliteGate.EnterAsync(CancellationToken.None) : null;
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                // Records and rollups commit together, so the rollups always equal the sum of the records. Prepared
                // inserts, not the change tracker: nothing reads the rows back, and tracking cost more than the writes.
                await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
                await BulkInsert.InsertInTransactionAsync(db, records, CancellationToken.None);
                await BulkInsert.InsertInTransactionAsync(db, payloads, CancellationToken.None);
                await UsageRollupWriter.AddAsync(db, records, CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
            });
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Losing a usage row must not stop the writer; it is logged for reconciliation.
            if (logFailure)
            {
                logger.LogError(ex, "Could not write the usage record of {InferenceId}", batch[0].Record.InferenceId);
            }

            return false;
        }
    }

    /// <summary>The prompts and outputs to keep: only of users with retention on (a cached read per user).</summary>
    private async Task<List<InferencePayload>> PayloadsAsync(InferenceRetentionSettings retention, IReadOnlyList<Entry> batch)
    {
        var payloads = new List<InferencePayload>();
        var days = new Dictionary<string, int?>(StringComparer.Ordinal);
        var max = retentionOptions.Value.MaxStoredRequestChars;
        foreach (var (record, body, output) in batch)
        {
            if (record.UserId is not { } userId || body is null)
            {
                continue;
            }

            if (!days.TryGetValue(userId, out var keep))
            {
                keep = await retention.GetDaysAsync(userId, CancellationToken.None);
                days.Add(userId, keep);
            }

            if (keep is not { } kept)
            {
                continue;
            }

            var json = body.ToJsonString();
            payloads.Add(new InferencePayload
            {
                InferenceId = record.InferenceId,
                UserId = userId,
                RequestJson = json.Length <= max ? json : json[..max],
                OutputText = string.IsNullOrEmpty(output) ? null : output,
                CreatedAt = record.CreatedAt,
                ExpiresAt = record.CreatedAt.AddDays(kept),
            });
        }

        return payloads;
    }

    /// <summary>A record with what retention may keep of its request.</summary>
    private sealed record Entry(UsageRecord Record, JsonObject? RequestBody, string? OutputText);

    /// <summary>A queued record, or a flush waiting for everything queued before it.</summary>
    private readonly record struct Queued(Entry? Entry, TaskCompletionSource? Flushed);
}
