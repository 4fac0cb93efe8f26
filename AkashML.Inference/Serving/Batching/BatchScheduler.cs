using System.Collections.Concurrent;
using AkashML.Inference.Runtime;

namespace AkashML.Inference.Serving.Batching;

/// <summary>
/// Continuous batching for one model: sequences queue, and a dedicated thread admits them into free KV slots (one
/// prefill each), then runs one shared decode step for every active sequence, samples each row with that sequence's
/// own selector, and retires finished or cancelled sequences by moving the last row into the freed slot.
/// </summary>
/// <remarks>
/// Sequences are admitted between steps, so a new request joins a batch that is already decoding. A failed prefill
/// fails only its own request; a failed shared step fails every request in that batch.
/// </remarks>
internal sealed class BatchScheduler : IDisposable
{
    private readonly BatchDecoder _decoder;
    private readonly string _name;
    private readonly int _vocabSize;
    private readonly ConcurrentQueue<BatchSequence> _waiting = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly List<BatchSequence> _active = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lifetime = new();
    private readonly float[] _prefillLogits;
    private readonly float[] _stepLogits;
    private readonly int[] _tokens;
    private Thread? _thread;
    private BatchSequence? _prefilled;
    private bool _disposed;
    private long _steps;
    private long _decodedRows;
    private long _admitted;
    private long _sharedPrefills;
    private int _maxBatch;

    internal BatchScheduler(Model model, int maxBatchSize, string name)
    {
        _decoder = new BatchDecoder(model, maxBatchSize);
        _name = name;
        _vocabSize = model.VocabSize;
        _prefillLogits = new float[_vocabSize];
        _stepLogits = new float[maxBatchSize * _vocabSize];
        _tokens = new int[maxBatchSize];
    }

    public BatchingStatistics Statistics => new(
        Interlocked.Read(ref _steps), Interlocked.Read(ref _decodedRows), Volatile.Read(ref _maxBatch), Interlocked.Read(ref _admitted), Interlocked.Read(ref _sharedPrefills));

    /// <summary>Queues a request's sequences; they start at the next step that has free slots.</summary>
    public void Enqueue(IReadOnlyList<BatchSequence> sequences)
    {
        lock (_lifetime)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var sequence in sequences)
            {
                _waiting.Enqueue(sequence);
            }

            if (_thread is null)
            {
                _thread = new Thread(Loop) { IsBackground = true, Name = "batch " + _name };
                _thread.Start();
            }
        }

        _wake.Release();
    }

    public void Dispose()
    {
        lock (_lifetime)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stop.Cancel();
        _thread?.Join();
        _decoder.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }

    private void Loop()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                DropClosed();
                Admit();
                if (_active.Count == 0)
                {
                    if (_waiting.IsEmpty)
                    {
                        _decoder.Trim();
                    }

                    _wake.Wait(stop);
                    continue;
                }

                Step(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A bug here must not strand readers: fail the batch and keep serving.
                FailActive(ex);
            }
        }

        var unloaded = new ObjectDisposedException(nameof(TextModel), "The model was unloaded while generating.");
        FailActive(unloaded);
        while (_waiting.TryDequeue(out var sequence))
        {
            sequence.Owner.Fail(unloaded);
        }
    }

    private void DropClosed()
    {
        for (var b = _active.Count - 1; b >= 0; b--)
        {
            if (_active[b].Owner.IsClosed)
            {
                _active[b].Owner.SequenceDropped();
                Retire(b);
            }
        }
    }

    private void Admit()
    {
        while (_active.Count < _decoder.Slots && _waiting.TryDequeue(out var sequence))
        {
            var owner = sequence.Owner;
            if (owner.IsClosed)
            {
                owner.SequenceDropped();
                continue;
            }

            var slot = _active.Count;
            bool finished;
            try
            {
                if (SharesPrefill(sequence) is { } source)
                {
                    _decoder.Copy(source, slot);
                    Interlocked.Increment(ref _sharedPrefills);
                }
                else
                {
                    _prefilled = null;
                    _decoder.Prefill(slot, sequence.Prompt, _prefillLogits, owner.CancellationToken);
                    _prefilled = sequence;
                }

                Interlocked.Increment(ref _admitted);
                finished = sequence.Accept(_prefillLogits);
            }
            catch (OperationCanceledException) when (owner.CancellationToken.IsCancellationRequested)
            {
                _decoder.Release(slot);
                owner.SequenceDropped();
                continue;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _decoder.Release(slot);
                owner.Fail(ex);
                continue;
            }

            if (finished)
            {
                _decoder.Release(slot);
            }
            else
            {
                _active.Add(sequence);
            }
        }
    }

    /// <summary>
    /// The slot of the sequence whose prefill logits are still at hand when <paramref name="sequence"/> is another choice
    /// of the same request: same prompt, nothing decoded since. Copying that slot gives the bit-identical cache.
    /// </summary>
    private int? SharesPrefill(BatchSequence sequence)
    {
        var source = _prefilled;
        if (source is null || source.Owner != sequence.Owner || !ReferenceEquals(source.Prompt, sequence.Prompt))
        {
            return null;
        }

        var slot = _active.IndexOf(source);
        return slot >= 0 && _decoder.Length(slot) == sequence.Prompt.Length ? slot : null;
    }

    private void Step(CancellationToken stop)
    {
        var rows = _active.Count;
        for (var b = 0; b < rows; b++)
        {
            _tokens[b] = _active[b].LastToken;
        }

        try
        {
            _decoder.Step(_tokens.AsSpan(0, rows), _stepLogits, stop);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            FailActive(ex);
            return;
        }

        Interlocked.Increment(ref _steps);
        Interlocked.Add(ref _decodedRows, rows);
        if (rows > _maxBatch)
        {
            Volatile.Write(ref _maxBatch, rows);
        }

        // Descending, so the row moved into a retired slot has already been visited.
        for (var b = rows - 1; b >= 0; b--)
        {
            var sequence = _active[b];
            bool finished;
            try
            {
                finished = sequence.Accept(_stepLogits.AsSpan(b * _vocabSize, _vocabSize));
            }
            catch (Exception ex)
            {
                sequence.Owner.Fail(ex);
                finished = true;
            }

            if (finished)
            {
                Retire(b);
            }
        }
    }

    /// <summary>Frees slot <paramref name="index"/> and moves the last active row into it, so the batch stays a prefix.</summary>
    private void Retire(int index)
    {
        var last = _active.Count - 1;
        _decoder.Release(index);
        if (index != last)
        {
            _decoder.Move(last, index);
            _active[index] = _active[last];
        }

        _active.RemoveAt(last);
    }

    private void FailActive(Exception error)
    {
        for (var b = _active.Count - 1; b >= 0; b--)
        {
            _active[b].Owner.Fail(error);
            _decoder.Release(b);
        }

        _active.Clear();
    }
}
