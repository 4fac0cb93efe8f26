using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Billing.Reservations;

/// <summary>
/// The queue and writer loop of a group commit (<see cref="SqliteGroupCommit"/>, <see cref="PostgresGroupCommit"/>):
/// callers queue operations, and one writer takes those queued meanwhile, at most <see cref="MaxBatch"/>, and commits
/// them together on a connection it keeps open from one batch to the next.
/// </summary>
/// <remarks>
/// A caller that finds nothing queued and nothing being committed commits its operation itself, on the same connection:
/// handing a lone operation to the writer and its answer back cost two thread hand-offs (measured at one request at a
/// time on SQLite: 15–17 context switches per request instead of 7–8).
/// </remarks>
internal sealed class GroupCommitQueue<TOperation>(IServiceScopeFactory scopes, Func<GroupConnection, List<TOperation>, Task<bool>> commit)
    : IAsyncDisposable, IDisposable
    where TOperation : GroupOperation
{
    /// <summary>The most operations one transaction carries, so a burst does not hold the database for long.</summary>
    public const int MaxBatch = 64;

    // Not single-reader: that form cannot count what it holds (Pending).
    private readonly Channel<TOperation> _queue = Channel.CreateUnbounded<TOperation>();
    private readonly Lock _starting = new();

    // Held while a batch is committed, by the writer or by a caller committing its own operation; guards _connection.
    private readonly SemaphoreSlim _committing = new(1, 1);
    private GroupConnection? _connection;
    private Task? _writer;

    /// <summary>Operations waiting for the next transaction (not counting those being committed).</summary>
    public int Pending => _queue.Reader.Count;

    /// <summary>
    /// Commits <paramref name="operation"/> now when nothing else is queued or being committed, otherwise queues it for the
    /// writer; the operation itself tells its caller how it ended.
    /// </summary>
    public async ValueTask SubmitAsync(TOperation operation)
    {
        if (_queue.Reader.Count == 0 && _committing.Wait(0))
        {
            try
            {
                if (_queue.Reader.Count == 0)
                {
                    await CommitAsync([operation]);
                    return;
                }
            }
            finally
            {
                _committing.Release();
            }
        }

        Enqueue(operation);
    }

    private void Enqueue(TOperation operation)
    {
        if (_writer is null)
        {
            lock (_starting)
            {
                // Started on first use: a host on the other provider never needs it.
                _writer ??= Task.Run(WriteAsync, CancellationToken.None);
            }
        }

        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(GroupCommitQueue<TOperation>));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is { } writer)
        {
            await writer;
        }

        // Held from here on: a caller arriving now finds the queue closed.
        await _committing.WaitAsync(CancellationToken.None);
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    public void Dispose() => _queue.Writer.TryComplete();

    private async Task WriteAsync()
    {
        // Not cancellable: the loop ends once disposal has closed the queue and everything queued is done.
        var batch = new List<TOperation>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            await _committing.WaitAsync(CancellationToken.None);
            try
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var operation))
                {
                    batch.Add(operation);
                }

                await CommitAsync(batch);
            }
            finally
            {
                _committing.Release();
            }

            batch.Clear();
        }
    }

    /// <summary>Commits the operations whose callers still wait; the caller holds <see cref="_committing"/>.</summary>
    private async Task CommitAsync(List<TOperation> batch)
    {
        batch.RemoveAll(operation =>
        {
            if (!operation.CancellationToken.IsCancellationRequested)
            {
                return false;
            }

            operation.Cancel();
            return true;
        });
        if (batch.Count == 0)
        {
            return;
        }

        var kept = false;
        try
        {
            _connection ??= await GroupConnection.OpenAsync(scopes);
            kept = await commit(_connection, batch);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nothing of the transaction was kept: every caller in it learns so, and why.
            foreach (var failed in batch)
            {
                failed.Fail(ex);
            }
        }

        if (!kept && _connection is not null)
        {
            // The connection may be what failed: the next batch starts on a fresh one.
            await _connection.DisposeAsync();
            _connection = null;
        }
    }
}

/// <summary>An operation waiting in a <see cref="GroupCommitQueue{TOperation}"/>.</summary>
internal abstract class GroupOperation(CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Its caller gave up before its transaction began: it is not written.</summary>
    public abstract void Cancel();

    /// <summary>Its transaction failed and kept nothing.</summary>
    public abstract void Fail(Exception exception);
}
