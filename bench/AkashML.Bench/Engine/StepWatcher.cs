using System.Diagnostics;
using AkashML.Inference.Serving;

namespace AkashML.Bench.Engine;

/// <summary>
/// Samples a batched model's shared-step counter on a thread of its own (about every millisecond) and keeps the longest
/// time it stood still: while sequences are decoding, that is the worst gap between two of their tokens.
/// </summary>
internal sealed class StepWatcher : IDisposable
{
    private readonly TextModel _model;
    private readonly Thread _thread;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private volatile bool _stop;
    private double _longestMs;
    private double _changedAtMs;

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
        // The stall still open at the end counts too (also when the watcher thread never got to sample).
        return Math.Max(_longestMs, _clock.Elapsed.TotalMilliseconds - _changedAtMs);
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
        var steps = Steps();
        while (!_stop)
        {
            Thread.Sleep(1);
            var now = _clock.Elapsed.TotalMilliseconds;
            var current = Steps();
            if (current != steps)
            {
                steps = current;
                _changedAtMs = now;
            }

            _longestMs = Math.Max(_longestMs, now - _changedAtMs);
        }
    }

    private long Steps() => _model.Batching?.SharedSteps ?? 0;
}
