using System.Threading.Channels;

namespace AkashML.Inference.Serving.Batching;

/// <summary>
/// One request's sequences (its n choices) as the scheduler sees them: the stream their updates go to, which completes
/// once every sequence has finished, faults with the first error, or ends as cancelled.
/// </summary>
/// <remarks>
/// The channel is unbounded so a slow reader never stalls the shared decode loop; each sequence writes at most
/// max_tokens + 1 updates, which bounds it.
/// </remarks>
internal sealed class BatchRequest(int sequences, CancellationToken cancellationToken)
{
    private readonly Channel<GenerationUpdate> _channel = Channel.CreateUnbounded<GenerationUpdate>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private int _remaining = sequences;
    private volatile bool _closed;

    public CancellationToken CancellationToken => cancellationToken;

    public ChannelReader<GenerationUpdate> Reader => _channel.Reader;

    /// <summary>True once nobody wants more from this request: it was cancelled, failed, or its reader went away.</summary>
    public bool IsClosed => _closed || cancellationToken.IsCancellationRequested;

    public void Write(GenerationUpdate update) => _channel.Writer.TryWrite(update);

    /// <summary>Scheduler thread: one sequence ended normally.</summary>
    public void SequenceFinished()
    {
        if (--_remaining == 0)
        {
            _channel.Writer.TryComplete();
        }
    }

    /// <summary>Scheduler thread: a sequence was dropped because the request is closed.</summary>
    public void SequenceDropped()
    {
        _closed = true;
        _channel.Writer.TryComplete(cancellationToken.IsCancellationRequested
            ? new OperationCanceledException("Generation was cancelled.", cancellationToken)
            : null);
    }

    /// <summary>A sequence failed; the reader sees <paramref name="error"/> and the other sequences are dropped.</summary>
    public void Fail(Exception error)
    {
        _closed = true;
        _channel.Writer.TryComplete(error);
    }

    /// <summary>Reader side: the caller stopped reading, so unfinished sequences are dropped at the next step.</summary>
    public void Abandon() => _closed = true;
}
