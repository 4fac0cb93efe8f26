namespace AkashML.Web.Nodes;

/// <summary>Generations this node runs now, and how many ended because the caller left; for its health answer.</summary>
public sealed class NodeLoad
{
    private int _inFlight;
    private long _cancelled;

    public int InFlight => Volatile.Read(ref _inFlight);

    public long Cancelled => Interlocked.Read(ref _cancelled);

    public void Started() => Interlocked.Increment(ref _inFlight);

    public void Ended(bool cancelled)
    {
        if (cancelled)
        {
            Interlocked.Increment(ref _cancelled);
        }

        Interlocked.Decrement(ref _inFlight);
    }
}
