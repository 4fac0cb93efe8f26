using System.Diagnostics;
using System.Threading.Channels;

namespace AkashML.Inference.Serving.Batching;

/// <summary>
/// One request's sequences (its n choices) as the scheduler sees them: the stream their updates go to, which completes
/// once every sequence has finished, faults with the first error, or ends as cancelled.
/// </summary>
/// <remarks>
/// <para>
/// The channel is unbounded so a slow reader never stalls the shared decode loop; each sequence writes at most
/// max_tokens + 1 updates, which bounds it.
/// </para>
/// <para>
/// Updates are handed to the reader at most once per <see cref="HandOffInterval"/>: each hand-off to a waiting reader
/// wakes a thread-pool thread, and doing that for every token cost the decode loop about a fifth of its time on a
/// small model. A choice's first token and its end go at once, and tokens slower than the interval each go as they
/// come, so only fast streams are grouped and a reader waits at most one interval (or one iteration) longer.
/// </para>
/// </remarks>
internal sealed class BatchRequest(int sequences, CancellationToken cancellationToken)
{
    /// <summary>The longest a produced update waits for the next hand-off while the scheduler keeps iterating.</summary>
    public static readonly TimeSpan HandOffInterval = TimeSpan.FromMilliseconds(1);

    private static readonly long HandOffTicks = (long)(HandOffInterval.TotalSeconds * Stopwatch.Frequency);

    private readonly Channel<GenerationUpdate> _channel = Channel.CreateUnbounded<GenerationUpdate>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    // Scheduler thread only: updates not yet handed to the reader, and when the last hand-off was (0: none yet).
    private readonly List<GenerationUpdate> _unpublished = [];
    private long _publishedAt;
    private int _remaining = sequences;
    private volatile bool _closed;

    public CancellationToken CancellationToken => cancellationToken;

    public ChannelReader<GenerationUpdate> Reader => _channel.Reader;

    /// <summary>True once nobody wants more from this request: it was cancelled, failed, or its reader went away.</summary>
    public bool IsClosed => _closed || cancellationToken.IsCancellationRequested;

    /// <summary>Scheduler thread: queues an update, handing everything queued to the reader when a hand-off is due.</summary>
    public void Write(GenerationUpdate update)
    {
        _unpublished.Add(update);
        Publish(Stopwatch.GetTimestamp(), all: false);
    }

    /// <summary>
    /// Scheduler thread, after each iteration: hands the queued updates to the reader when the interval since the last
    /// hand-off has passed, or whatever the time when <paramref name="all"/> is set.
    /// </summary>
    public void Publish(long now, bool all)
    {
        if (_unpublished.Count == 0 || (!all && _publishedAt != 0 && now - _publishedAt < HandOffTicks))
        {
            return;
        }

        foreach (var update in _unpublished)
        {
            _channel.Writer.TryWrite(update);
        }

        _unpublished.Clear();
        _publishedAt = now;
    }

    /// <summary>Scheduler thread: one sequence ended normally.</summary>
    public void SequenceFinished()
    {
        if (--_remaining == 0)
        {
            Publish(Stopwatch.GetTimestamp(), all: true);
            _channel.Writer.TryComplete();
        }
    }

    /// <summary>Scheduler thread: a sequence was dropped because the request is closed.</summary>
    public void SequenceDropped()
    {
        _closed = true;
        Publish(Stopwatch.GetTimestamp(), all: true);
        _channel.Writer.TryComplete(cancellationToken.IsCancellationRequested
            ? new OperationCanceledException("Generation was cancelled.", cancellationToken)
            : null);
    }

    /// <summary>A sequence failed; the reader sees what came before, then <paramref name="error"/>, and the other sequences are dropped.</summary>
    public void Fail(Exception error)
    {
        _closed = true;
        Publish(Stopwatch.GetTimestamp(), all: true);
        _channel.Writer.TryComplete(error);
    }

    /// <summary>Reader side: the caller stopped reading, so unfinished sequences are dropped at the next step.</summary>
    public void Abandon() => _closed = true;
}
