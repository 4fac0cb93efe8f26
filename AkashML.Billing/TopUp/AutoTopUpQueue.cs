using System.Threading.Channels;

namespace AkashML.Billing.TopUp;

/// <summary>Auto top-up payments waiting to be charged; settlement enqueues after its transaction commits.</summary>
public sealed class AutoTopUpQueue
{
    private readonly Channel<Guid> _channel = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(Guid paymentId) => _channel.Writer.TryWrite(paymentId);

    public IAsyncEnumerable<Guid> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);
}
