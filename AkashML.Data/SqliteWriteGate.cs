namespace AkashML.Data;

/// <summary>
/// SQLite has one writer at a time and no row locks: every write transaction of this process that could meet another
/// (credit changes, usage batches, key bookkeeping) goes through this one gate instead of retrying on "database is
/// locked". (The embedded SQLite setup is a single host process; PostgreSQL replicas lock rows instead.)
/// </summary>
public sealed class SqliteWriteGate : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Exit(_gate);
    }

    public void Dispose() => _gate.Dispose();

    private sealed class Exit(SemaphoreSlim gate) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
