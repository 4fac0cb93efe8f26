namespace AkashML.Billing.Ledger;

/// <summary>
/// SQLite has no row locks: every credit-changing transaction of this process goes through this one gate instead.
/// (The embedded SQLite setup is a single host process; PostgreSQL replicas lock the account row.)
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
