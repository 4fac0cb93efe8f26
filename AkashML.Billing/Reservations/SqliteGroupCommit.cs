using System.Data.Common;
using System.Threading.Channels;
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
public sealed class SqliteGroupCommit(IServiceScopeFactory scopes, SqliteWriteGate gate, TimeProvider clock) : IAsyncDisposable, IDisposable
{
    /// <summary>The most operations one transaction carries, so a burst does not hold the gate for long.</summary>
    public const int MaxBatch = 64;

    // Savepoints through prepared commands too: SqliteTransaction.Save and friends prepare their text on every call.
    private static readonly Statement Save = new("SAVEPOINT credit_operation");
    private static readonly Statement RollBack = new("ROLLBACK TO credit_operation");
    private static readonly Statement Release = new("RELEASE credit_operation");

    private readonly Channel<Operation> _queue = Channel.CreateUnbounded<Operation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _starting = new();
    private Task? _writer;

    /// <summary>
    /// Runs <paramref name="work"/> in the next group transaction; its changes are kept when it answers <c>Keep</c>,
    /// rolled back otherwise (or when it throws, which the caller then sees). Returns once the transaction committed.
    /// </summary>
    internal Task<T> RunAsync<T>(Func<CreditCommands, Task<(T Result, bool Keep)>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        if (_writer is null)
        {
            lock (_starting)
            {
                // Started on first use: a PostgreSQL host never needs it.
                _writer ??= Task.Run(WriteAsync, CancellationToken.None);
            }
        }

        var operation = new Operation<T>(work, cancellationToken);
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(SqliteGroupCommit));
        }

        return operation.Task;
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
        var batch = new List<Operation>(MaxBatch);
        Writer? writer = null;
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

                if (batch.Count > 0)
                {
                    writer ??= await Writer.OpenAsync(scopes);
                    if (!await CommitAsync(writer, batch))
                    {
                        // The connection may be what failed: the next batch starts on a fresh one.
                        await writer.DisposeAsync();
                        writer = null;
                    }

                    batch.Clear();
                }
            }
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
        }
    }

    /// <summary>Runs the batch in one transaction and answers its callers; false when the transaction failed.</summary>
    private async Task<bool> CommitAsync(Writer writer, List<Operation> batch)
    {
        try
        {
            using var held = await gate.EnterAsync(CancellationToken.None);
            await using var transaction = await writer.Connection.BeginTransactionAsync(CancellationToken.None);
            foreach (var operation in batch)
            {
                await writer.Commands.Get(Save, transaction, []).ExecuteNonQueryAsync(CancellationToken.None);
                if (!await operation.RunAsync(new PreparedCreditCommands(writer.Commands, transaction, clock.GetUtcNow())))
                {
                    await writer.Commands.Get(RollBack, transaction, []).ExecuteNonQueryAsync(CancellationToken.None);
                }

                await writer.Commands.Get(Release, transaction, []).ExecuteNonQueryAsync(CancellationToken.None);
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

    /// <summary>
    /// The writer's connection, open from one batch to the next so that its prepared commands last (closing it would
    /// finalize them), with the pooled context it belongs to (opened through it, so the SQLite tuning applies).
    /// </summary>
    private sealed class Writer(AsyncServiceScope scope, AkashDbContext db) : IAsyncDisposable
    {
        public DbConnection Connection { get; } = db.Database.GetDbConnection();

        public PreparedCommands Commands { get; } = new(db.Database.GetDbConnection());

        public static async Task<Writer> OpenAsync(IServiceScopeFactory scopes)
        {
            var scope = scopes.CreateAsyncScope();
            try
            {
                var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
                await db.Database.OpenConnectionAsync(CancellationToken.None);
                return new Writer(scope, db);
            }
            catch
            {
                await scope.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Commands.Dispose();
            await db.Database.CloseConnectionAsync();
            await scope.DisposeAsync();
        }
    }

    private abstract class Operation(CancellationToken cancellationToken)
    {
        public CancellationToken CancellationToken { get; } = cancellationToken;

        /// <summary>What the work threw, if it did.</summary>
        public abstract Exception? Failure { get; }

        /// <summary>Runs the work; true when its changes are to be kept.</summary>
        public abstract Task<bool> RunAsync(CreditCommands commands);

        /// <summary>The transaction committed: hand over the work's result (or its own failure).</summary>
        public abstract void Complete();

        public abstract void Fail(Exception exception);

        public abstract void Cancel();
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
