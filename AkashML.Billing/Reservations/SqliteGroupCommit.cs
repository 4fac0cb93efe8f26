using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Billing.Reservations;

/// <summary>
/// Group commit for the credit holds and settlements of <see cref="DirectReservations"/> on SQLite: one writer takes the
/// operations queued meanwhile, runs each in its own savepoint of one transaction under the <see cref="SqliteWriteGate"/>,
/// commits once, and only then answers each caller.
/// </summary>
/// <remarks>
/// SQLite runs one write transaction at a time, and its commit (writing the changed pages to the WAL) costs more than
/// the statements of a hold or a settlement; under concurrent requests one commit now carries many of them. Each caller
/// still learns its outcome only after the commit that made it durable, so a charge is committed before its response
/// completes. The operations of one transaction run in order and each sees the ones before it, exactly as if they had
/// queued for the gate one by one; an operation that fails or decides not to write rolls back to its savepoint without
/// touching the others. The writer keeps one connection open and runs every statement from a command prepared once on
/// it (<see cref="PreparedCommands"/>): parsing and preparing SQL text per operation cost more than running it.
/// </remarks>
public sealed class SqliteGroupCommit : IAsyncDisposable, IDisposable
{
    // Savepoints through prepared commands too: SqliteTransaction.Save and friends prepare their text on every call.
    private static readonly Statement Save = new("SAVEPOINT credit_operation");
    private static readonly Statement RollBack = new("ROLLBACK TO credit_operation");
    private static readonly Statement Release = new("RELEASE credit_operation");

    private readonly SqliteWriteGate _gate;
    private readonly TimeProvider _clock;
    private readonly GroupCommitQueue<Operation> _queue;

    public SqliteGroupCommit(IServiceScopeFactory scopes, SqliteWriteGate gate, TimeProvider clock)
    {
        _gate = gate;
        _clock = clock;
        _queue = new GroupCommitQueue<Operation>(scopes, CommitAsync);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the next group transaction; its changes are kept when it answers <c>Keep</c>,
    /// rolled back otherwise (or when it throws, which the caller then sees). Returns once the transaction committed.
    /// </summary>
    internal async Task<T> RunAsync<T>(Func<CreditCommands, Task<(T Result, bool Keep)>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        var operation = new Operation<T>(work, cancellationToken);
        await _queue.SubmitAsync(operation);
        return await operation.Task;
    }

    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    public void Dispose() => _queue.Dispose();

    /// <summary>Runs the batch in one transaction and answers its callers; false when the transaction failed.</summary>
    private async Task<bool> CommitAsync(GroupConnection writer, List<Operation> batch)
    {
        try
        {
            using var held = await _gate.EnterAsync(CancellationToken.None);
            await using var transaction = await writer.Connection.BeginTransactionAsync(CancellationToken.None);
            foreach (var operation in batch)
            {
                await writer.Prepared.Get(Save, transaction, []).ExecuteNonQueryAsync(CancellationToken.None);
                if (!await operation.RunAsync(new PreparedCreditCommands(writer.Prepared, transaction, _clock.GetUtcNow())))
                {
                    await writer.Prepared.Get(RollBack, transaction, []).ExecuteNonQueryAsync(CancellationToken.None);
                }

                await writer.Prepared.Get(Release, transaction, []).ExecuteNonQueryAsync(CancellationToken.None);
            }

            await transaction.CommitAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nothing of this transaction was kept: every caller in it learns so, and why. SQLite rolls the whole
            // transaction back by itself on some errors (SQLITE_FULL: a full disk), after which the next statement only
            // says the transaction is gone; the database's own error is the one to report.
            var cause = batch.Select(o => o.Failure).OfType<DbException>().FirstOrDefault() ?? ex;
            foreach (var operation in batch)
            {
                operation.Fail(cause);
            }

            return false;
        }

        foreach (var operation in batch)
        {
            operation.Complete();
        }

        return true;
    }

    private abstract class Operation(CancellationToken cancellationToken) : GroupOperation(cancellationToken)
    {
        /// <summary>What the work threw, if it did.</summary>
        public abstract Exception? Failure { get; }

        /// <summary>Runs the work; true when its changes are to be kept.</summary>
        public abstract Task<bool> RunAsync(CreditCommands commands);

        /// <summary>The transaction committed: hand over the work's result (or its own failure).</summary>
        public abstract void Complete();
    }

    private sealed class Operation<T>(Func<CreditCommands, Task<(T Result, bool Keep)>> work, CancellationToken cancellationToken)
        : Operation(cancellationToken)
    {
        // Callers continue on their own threads, not on the writer's.
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;
        private Exception? _failure;

        public Task<T> Task => _done.Task;

        public override Exception? Failure => _failure;

        public override async Task<bool> RunAsync(CreditCommands commands)
        {
            try
            {
                (_result, var keep) = await work(commands);
                return keep;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _failure = ex;
                return false;
            }
        }

        public override void Complete()
        {
            if (_failure is OperationCanceledException cancelled)
            {
                _done.TrySetCanceled(cancelled.CancellationToken);
            }
            else if (_failure is not null)
            {
                _done.TrySetException(_failure);
            }
            else
            {
                _done.TrySetResult(_result);
            }
        }

        public override void Fail(Exception exception) => _done.TrySetException(exception);

        public override void Cancel() => _done.TrySetCanceled(CancellationToken);
    }
}
