using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkashML.Inference.Serving;

namespace AkashML.Web.Backends;

/// <summary>
/// A request's slot on one backend of a <see cref="BackendPool"/>, held from admission until the call settles (a
/// legacy completion with several prompts generates several times on it). A backend that fails before the first
/// update was handed out is reported and the request moves to another backend; after that, failures reach the caller.
/// </summary>
public sealed class BackendLease : IDisposable
{
    private readonly BackendPool _pool;
    private BackendState? _state;

    internal BackendLease(BackendPool pool, BackendState state, int queueMs)
    {
        _pool = pool;
        _state = state;
        QueueMs = queueMs;
    }

    /// <summary>How long the request waited for its slot.</summary>
    public int QueueMs { get; }

    /// <summary>The backend serving the request now (null once released).</summary>
    public BackendState? Backend => _state;

    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var tried = new List<BackendState>();
        while (true)
        {
            var state = _state ?? throw new ObjectDisposedException(nameof(BackendLease));
            var started = Stopwatch.GetTimestamp();
            Exception? failure = null;
            IAsyncEnumerator<GenerationUpdate>? updates = null;
            try
            {
                var model = state.Model ??= await state.Backend.OpenAsync(cancellationToken);
                updates = model.GenerateAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
            }
            catch (Exception ex) when (IsBackendFailure(ex, cancellationToken))
            {
                failure = ex;
            }

            if (updates is not null)
            {
                var sent = false;
                try
                {
                    while (true)
                    {
                        bool more;
                        try
                        {
                            more = await updates.MoveNextAsync();
                        }
                        catch (Exception ex) when (!sent && IsBackendFailure(ex, cancellationToken))
                        {
                            failure = ex;
                            break;
                        }
                        catch (Exception ex) when (IsBackendFailure(ex, cancellationToken))
                        {
                            _pool.Failed(state, ex, Elapsed(started));
                            throw;
                        }

                        if (!more)
                        {
                            break;
                        }

                        sent = true;
                        yield return updates.Current;
                    }
                }
                finally
                {
                    await updates.DisposeAsync();
                }
            }

            if (failure is null)
            {
                _pool.Succeeded(state, Elapsed(started));
                yield break;
            }

            _pool.Failed(state, failure, Elapsed(started));
            tried.Add(state);
            _state = null;
            _state = _pool.Reroute(state, tried);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _state, null) is { } state)
        {
            _pool.Return(state);
        }
    }

    /// <summary>The backend's trouble, not the request's (a refused parameter) nor the caller's (it went away).</summary>
    private static bool IsBackendFailure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        BackendRefusedException or UnsupportedGenerationFeatureException or ArgumentException => false,
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        _ => true,
    };

    private static int Elapsed(long started) => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
