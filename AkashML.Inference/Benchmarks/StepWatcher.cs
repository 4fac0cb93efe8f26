using System.Diagnostics;
using AkashML.Inference.Serving;

namespace AkashML.Inference.Benchmarks;

/// <summary>
/// Samples a batched model's shared-step counter on a thread of its own (about every millisecond) and keeps the longest
/// time it stood still: while sequences are decoding, that is the worst gap between two of their tokens.
/// </summary>
internal sealed class StepWatcher : IDisposable
{
    private readonly TextModel _model;
    private readonly Thread _thread;
    private volatile bool _stop;
    private double _longestMs;

    public StepWatcher(TextModel model)
    {
        _model = model;
        _thread = new Thread(Watch) { IsBackground = true, Name = "step watcher", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Stops sampling and returns the longest stall in milliseconds, counting the one still open.</summary>
    public double Stop()
    {
        _stop = true;
        _thread.Join();
        return _longestMs;
    }

    public void Dispose()
    {
        if (!_stop)
        {
            Stop();
        }
    }

    private void Watch()
    {
        var clock = Stopwatch.StartNew();
        var steps = Steps();
        var changedAt = 0.0;
        while (!_stop)
        {
            Thread.Sleep(1);
            var now = clock.Elapsed.TotalMilliseconds;
            var current = Steps();
            if (current != steps)
            {
                steps = current;
                changedAt = now;
            }

            _longestMs = Math.Max(_longestMs, now - changedAt);
        }
    }

    private long Steps() => _model.Batching?.SharedSteps ?? 0;
}
