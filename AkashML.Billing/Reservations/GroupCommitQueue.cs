using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Billing.Reservations;

/// <summary>
/// The queue and writer loop of a group commit (<see cref="SqliteGroupCommit"/>, <see cref="PostgresGroupCommit"/>):
/// callers queue operations, and one writer takes those queued meanwhile, at most <see cref="MaxBatch"/>, and commits
/// them together on a connection it keeps open from one batch to the next.
/// </summary>
internal sealed class GroupCommitQueue<TOperation>(IServiceScopeFactory scopes, Func<GroupConnection, List<TOperation>, Task<bool>> commit)
    : IAsyncDisposable, IDisposable
    where TOperation : GroupOperation
{
    /// <summary>The most operations one transaction carries, so a burst does not hold the database for long.</summary>
    public const int MaxBatch = 64;

    // Not single-reader: that form cannot count what it holds (Pending).
    private readonly Channel<TOperation> _queue = Channel.CreateUnbounded<TOperation>();
    private readonly Lock _starting = new();
    private Task? _writer;

    /// <summary>Operations waiting for the next transaction (not counting those being committed).</summary>
    public int Pending => _queue.Reader.Count;

    public void Enqueue(TOperation operation)
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
    }

    public void Dispose() => _queue.Writer.TryComplete();

    private async Task WriteAsync()
    {
        // Not cancellable: the loop ends once disposal has closed the queue and everything queued is done.
        var batch = new List<TOperation>(MaxBatch);
        GroupConnection? connection = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var operation))
                {
                    if (operation.CancellationToken.IsCancellationRequested)
                    {
                        operation.Cancel();
                    }
                    else
                    {
                        batch.Add(operation);
                    }
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                var kept = false;
                try
                {
                    connection ??= await GroupConnection.OpenAsync(scopes);
                    kept = await commit(connection, batch);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Nothing of the transaction was kept: every caller in it learns so, and why.
                    foreach (var failed in batch)
                    {
                        failed.Fail(ex);
                    }
                }

                if (!kept && connection is not null)
                {
                    // The connection may be what failed: the next batch starts on a fresh one.
                    await connection.DisposeAsync();
                    connection = null;
                }

                batch.Clear();
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
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
