using System.Collections.Concurrent;

namespace AkashML.Web.Shell;

/// <summary>
/// A per-user change feed inside this process: whatever moves a user's money (a settled request, a grant, a paid
/// top-up) publishes, and open dashboard circuits of that user re-read what they show. Changes made by another
/// process (a replica, the CLI) reach circuits through their short refresh poll instead.
/// </summary>
public sealed class AccountChanges
{
    private readonly ConcurrentDictionary<string, ImmutableSubscribers> _subscribers = new(StringComparer.Ordinal);

    public IDisposable Subscribe(string userId, Func<Task> onChange)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(onChange);
        _subscribers.AddOrUpdate(userId, _ => new ImmutableSubscribers([onChange]), (_, current) => current.Add(onChange));
        return new Subscription(this, userId, onChange);
    }

    /// <summary>Tells the user's open circuits that their balance or usage changed; never throws into the caller.</summary>
    public void Publish(string userId)
    {
        if (!_subscribers.TryGetValue(userId, out var subscribers))
        {
            return;
        }

        foreach (var callback in subscribers.Callbacks)
        {
            // Fire and forget: a circuit re-renders on its own dispatcher; the publisher (a request) must not wait.
            _ = Task.Run(async () =>
            {
                try
                {
                    await callback();
                }
                catch (Exception)
                {
                    // A circuit that is going away may fail to re-render; that is its own business.
                }
            });
        }
    }

    private void Unsubscribe(string userId, Func<Task> onChange)
    {
        while (_subscribers.TryGetValue(userId, out var current))
        {
            var next = current.Remove(onChange);
            if (next.Callbacks.Length == 0 ? _subscribers.TryRemove(new KeyValuePair<string, ImmutableSubscribers>(userId, current)) : _subscribers.TryUpdate(userId, next, current))
            {
                return;
            }
        }
    }

    private sealed record ImmutableSubscribers(Func<Task>[] Callbacks)
    {
        public ImmutableSubscribers Add(Func<Task> callback) => new([.. Callbacks, callback]);

        public ImmutableSubscribers Remove(Func<Task> callback) => new(Callbacks.Where(c => c != callback).ToArray());
    }

    private sealed class Subscription(AccountChanges owner, string userId, Func<Task> onChange) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(userId, onChange);
            }
        }
    }
}
