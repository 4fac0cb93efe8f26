namespace AkashML.Inference.Serving.Batching;

/// <summary>
/// Holds a <see cref="BatchScheduler"/> between iterations and lets it run them one at a time, so a test can say
/// exactly which iteration a request arrives in (arrival order decides chunking and sharing) instead of racing the
/// scheduler thread. Disposing it lets the scheduler run freely again. Nothing in the host uses it.
/// </summary>
internal sealed class IterationGate : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    // Invariant while the gate is shut and the scheduler is parked: _parked holds one count.
    private readonly SemaphoreSlim _parked = new(0);
    private readonly SemaphoreSlim _turns = new(0);
    private volatile bool _open;

    public bool IsOpen => _open;

    /// <summary>
    /// Lets one iteration run and returns once the scheduler is parked before the next. The scheduler must have work
    /// (a sequence decoding or a prompt being read); an idle one waits for requests instead of coming round.
    /// </summary>
    public void Advance()
    {
        ObjectDisposedException.ThrowIf(_open, this);
        WaitParked();
        _turns.Release();
        WaitParked();
        _parked.Release();
    }

    public void Dispose()
    {
        if (_open)
        {
            return;
        }

        _open = true;
        _turns.Release();
    }

    /// <summary>Scheduler thread, at the top of each iteration: returns at once when open, else parks for a turn.</summary>
    internal void Enter(CancellationToken stop)
    {
        if (_open)
        {
            return;
        }

        _parked.Release();
        _turns.Wait(stop);
    }

    private void WaitParked()
    {
        if (!_parked.Wait(HangGuard))
        {
            throw new TimeoutException("The batch scheduler did not come round to the gate; it has no work to iterate on.");
        }
    }
}
