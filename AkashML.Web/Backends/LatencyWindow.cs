namespace AkashML.Web.Backends;

/// <summary>
/// The outcomes of a backend's most recent requests (a fixed ring), for the admin view's error rate and median
/// latency; older requests fall off, so the numbers describe the backend now.
/// </summary>
public sealed class LatencyWindow(int capacity = 128)
{
    private readonly (int Ms, bool Ok)[] _ring = new (int, bool)[capacity];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;

    public void Add(int milliseconds, bool ok)
    {
        lock (_lock)
        {
            _ring[_next] = (milliseconds, ok);
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }

    /// <summary>Failed share of the recent requests; null before any.</summary>
    public double? ErrorRate
    {
        get
        {
            lock (_lock)
            {
                return _count == 0 ? null : (double)_ring.Take(_count).Count(o => !o.Ok) / _count;
            }
        }
    }

    /// <summary>Median latency of the recent successful requests; null before any.</summary>
    public int? MedianMs
    {
        get
        {
            lock (_lock)
            {
                var ok = _ring.Take(_count).Where(o => o.Ok).Select(o => o.Ms).Order().ToArray();
                return ok.Length == 0 ? null : ok[(ok.Length - 1) / 2];
            }
        }
    }
}
