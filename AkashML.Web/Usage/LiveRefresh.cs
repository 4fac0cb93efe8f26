using System.Threading.Channels;
using AkashML.Web.Shell;

namespace AkashML.Web.Usage;

/// <summary>
/// Keeps a dashboard view fresh: runs <c>refresh</c> when the user's account changes in this process
/// (<see cref="AccountChanges"/>) and every <c>interval</c> for changes made elsewhere (another replica, the CLI).
/// Refreshes never overlap; triggers that arrive during one fold into a single next run. Dispose with the component.
/// </summary>
public sealed class LiveRefresh : IAsyncDisposable
{
    private readonly Channel<bool> _triggers = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly IDisposable _subscription;
    private readonly Task _loop;
    private readonly Task _timer;

    private LiveRefresh(AccountChanges changes, string userId, TimeSpan interval, Func<CancellationToken, Task> refresh)
    {
        _subscription = changes.Subscribe(userId, () =>
        {
            _triggers.Writer.TryWrite(true);
            return Task.CompletedTask;
        });
        _loop = RunAsync(refresh, _stopping.Token);
        _timer = TickAsync(interval, _stopping.Token);
    }

    public static LiveRefresh Start(AccountChanges changes, string userId, TimeSpan interval, Func<CancellationToken, Task> refresh)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(refresh);
        return new LiveRefresh(changes, userId, interval, refresh);
    }

    private async Task RunAsync(Func<CancellationToken, Task> refresh, CancellationToken cancellationToken)
    {
        try
        {
            while (await _triggers.Reader.WaitToReadAsync(cancellationToken))
            {
                _triggers.Reader.TryRead(out _);
                try
                {
                    await refresh(cancellationToken);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // A failed refresh (a query timing out, a circuit going away) is retried at the next trigger.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private async Task TickAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                _triggers.Writer.TryWrite(true);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <summary>Stops at once; a refresh in flight sees its token cancelled (it is not awaited: it may be queued on the disposing component's dispatcher).</summary>
    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        _triggers.Writer.TryComplete();
        await _stopping.CancelAsync();
        _ = Task.WhenAll(_loop, _timer).ContinueWith(_ => _stopping.Dispose(), TaskScheduler.Default);
    }
}
