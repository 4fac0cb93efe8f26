using System.Threading.Channels;

namespace AkashML.Inference.Serving;

/// <summary>
/// Runs a blocking decode loop on a thread of its own and hands its updates to the async reader through a small
/// bounded channel. Not the thread pool: a loop blocked on a slow reader would hold a pool thread the reader itself
/// needs to make progress.
/// </summary>
internal static class DecodeThread
{
    public static IAsyncEnumerable<GenerationUpdate> Start(Action<ChannelWriter<GenerationUpdate>> decode, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<GenerationUpdate>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        _ = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    decode(channel.Writer);
                    channel.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    channel.Writer.TryComplete(ex);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        return channel.Reader.ReadAllAsync(cancellationToken);
    }
}
