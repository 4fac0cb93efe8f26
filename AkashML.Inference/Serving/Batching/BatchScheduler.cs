using System.Collections.Concurrent;
using System.Diagnostics;
using AkashML.Inference.Runtime;
using AkashML.Inference.Runtime.Caching;

namespace AkashML.Inference.Serving.Batching;

/// <summary>
/// Continuous batching for one model: sequences queue, and a dedicated thread admits them into free KV slots (one
/// prefill each), then runs one shared decode step for every active sequence, samples each row with that sequence's
/// own selector, and retires finished or cancelled sequences by moving the last row into the freed slot.
/// </summary>
/// <remarks>
/// <para>
/// Sequences are admitted between steps, so a new request joins a batch that is already decoding. A failed prefill
/// fails only its own request; a failed shared step fails every request in that batch.
/// </para>
/// <para>
/// Chunked prefill: a prompt longer than the chunk size is read one chunk per iteration, so the decode step of the
/// running sequences happens between its chunks instead of waiting for the whole prompt (head-of-line blocking).
/// One such prompt is prefilled at a time, in the top slot, outside the decoding prefix; when its last chunk has run it
/// moves down to the end of the prefix and decodes with the others. Prompts up to the chunk size still run in one go
/// (bit-identical to a batch-1 generator), one per iteration beside a chunk, more while they fit in one chunk's worth of
/// tokens: so an iteration reads at most about two chunks, and a new short request never waits for a long prompt.
/// </para>
/// <para>
/// Prefix cache: a prompt starts from the cached blocks of its longest known prefix (loaded into its slot) and runs only
/// the rest, in one go or in chunks by what is left; once its prefill is done its whole blocks are cached for the next
/// prompts. A prefill that is cancelled or fails caches nothing.
/// </para>
/// </remarks>
internal sealed class BatchScheduler : IDisposable
{
    private static readonly TimeSpan IdleBeforeTrim = TimeSpan.FromSeconds(2);

    private readonly BatchDecoder _decoder;
    private readonly string _name;
    private readonly int _vocabSize;
    private readonly ConcurrentQueue<BatchSequence> _waiting = new();
    private readonly List<BatchSequence> _pending = [];
    // No spinning before sleeping: SemaphoreSlim.Wait spins (yielding the core) on every idle turn, which a host
    // serving short requests pays once per request; a sleeping thread wakes in microseconds.
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly List<BatchSequence> _active = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lifetime = new();
    private readonly float[] _prefillLogits;
    private readonly int[] _tokens;
    private readonly int _chunkTokens;
    private readonly PrefixCache? _cache;
    private Thread? _thread;
    private volatile IterationGate? _gate;
    private BatchSequence? _prefilled;
    private BatchSequence? _chunked;
    private long _chunkedSince;
    private bool _disposed;
    private long _steps;
    private long _decodedRows;
    private long _admitted;
    private long _sharedPrefills;
    private long _chunkedPrompts;
    private long _prefillChunks;
    private long _stepsDuringChunkedPrefills;
    private int _maxBatch;
    // Live load, written by the loop thread once per iteration and read by metrics scrapes (no lock on either side).
    private int _pendingCount;
    private int _batchSize;
    private int _slotsInUse;

    /// <param name="model">A model <see cref="BatchDecoder.Supports"/> accepts.</param>
    /// <param name="maxBatchSize">KV slots: sequences decoding (or being prefilled) at once.</param>
    /// <param name="name">Names the scheduler's thread.</param>
    /// <param name="prefillChunkTokens">Prompts longer than this are prefilled in chunks of this size; 0 never chunks.</param>
    /// <param name="cache">The model's prefix cache, or null to run every prompt whole.</param>
    internal BatchScheduler(Model model, int maxBatchSize, string name, int prefillChunkTokens = 0, PrefixCache? cache = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefillChunkTokens);
        _decoder = new BatchDecoder(model, maxBatchSize);
        _chunkTokens = prefillChunkTokens;
        _cache = cache;
        _name = name;
        _vocabSize = model.VocabSize;
        _prefillLogits = new float[_vocabSize];
        _tokens = new int[maxBatchSize];
    }

    public BatchingStatistics Statistics => new(
        Interlocked.Read(ref _steps),
        Interlocked.Read(ref _decodedRows),
        Volatile.Read(ref _maxBatch),
        Interlocked.Read(ref _admitted),
        Interlocked.Read(ref _sharedPrefills),
        Interlocked.Read(ref _chunkedPrompts),
        Interlocked.Read(ref _prefillChunks),
        Interlocked.Read(ref _stepsDuringChunkedPrefills));

    /// <summary>What the scheduler holds now: sequences waiting for a slot, the decoding batch, KV slots taken.</summary>
    public BatchingLoad Load => new(
        _waiting.Count + Volatile.Read(ref _pendingCount),
        Volatile.Read(ref _batchSize),
        Volatile.Read(ref _slotsInUse),
        _decoder.Slots);

    /// <summary>The slot a chunked prompt is prefilled in: the top one, so the decoding prefix below it is untouched.</summary>
    private int ChunkSlot => _decoder.Slots - 1;

    private int Occupied => _active.Count + (_chunked is null ? 0 : 1);

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

        _wake.Set();
    }

    /// <summary>
    /// Shuts a gate in front of the next iteration (see <see cref="IterationGate"/>): until it is disposed the scheduler
    /// runs iterations only when the gate's holder lets it.
    /// </summary>
    internal IterationGate Gate()
    {
        var gate = new IterationGate();
        lock (_lifetime)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_gate is { IsOpen: false })
            {
                throw new InvalidOperationException("The scheduler is already gated.");
            }

            _gate = gate;
        }

        // An idle loop waits for work; wake it so it comes round to the gate.
        _wake.Set();
        return gate;
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
                // The previous iteration's updates, before a gate may hold the scheduler.
                PublishUpdates();
                _gate?.Enter(stop);
                DropClosed();
                while (_waiting.TryDequeue(out var sequence))
                {
                    _pending.Add(sequence);
                }

                // Prompt tokens this iteration may still run before the decode step; unlimited without chunking.
                var budget = _chunkTokens == 0 ? int.MaxValue : _chunkTokens;
                var chunkRan = _chunked is not null;
                if (chunkRan)
                {
                    budget -= PrefillNextChunk();
                }

                Admit(budget, chunkRan);
                PublishLoad();
                if (_active.Count > 0)
                {
                    Step(stop);
                    PublishLoad();
                }
                else if (_chunked is null && _pending.Count == 0)
                {
                    // Reset before the last look at the queue and the gate: what arrives after it sets the event again.
                    _wake.Reset();
                    if (_waiting.IsEmpty && _gate is not { IsOpen: false } && !_wake.Wait(IdleBeforeTrim, stop))
                    {
                        // Idle for a while: give the KV memory back. Not on every idle turn, or each short request
                        // would pay for allocating and zeroing the cache again.
                        _decoder.Trim();
                        _wake.Wait(stop);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A bug here must not strand readers: fail the batch and keep serving.
                FailActive(ex);
                FailChunked(ex);
            }
        }

        var unloaded = new ObjectDisposedException(nameof(TextModel), "The model was unloaded while generating.");
        FailActive(unloaded);
        FailChunked(unloaded);
        foreach (var sequence in _pending)
        {
            sequence.Owner.Fail(unloaded);
        }

        _pending.Clear();
        while (_waiting.TryDequeue(out var sequence))
        {
            sequence.Owner.Fail(unloaded);
        }
    }

    private void PublishLoad()
    {
        Volatile.Write(ref _pendingCount, _pending.Count);
        Volatile.Write(ref _batchSize, _active.Count);
        Volatile.Write(ref _slotsInUse, Occupied);
    }

    /// <summary>
    /// Hands the running requests' queued updates to their readers where a hand-off is due (see <see cref="BatchRequest"/>);
    /// all of them when a gate is shut, so what the iterations so far produced is readable while it holds the scheduler.
    /// </summary>
    private void PublishUpdates()
    {
        var all = _gate is { IsOpen: false };
        var now = Stopwatch.GetTimestamp();
        foreach (var sequence in _active)
        {
            sequence.Owner.Publish(now, all);
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

        if (_chunked is { Owner.IsClosed: true } chunked)
        {
            _chunked = null;
            _decoder.Release(ChunkSlot);
            chunked.Owner.SequenceDropped();
        }
    }

    /// <summary>
    /// Admits pending sequences into free slots in arrival order, within <paramref name="budget"/> prompt tokens: a
    /// sibling choice copies its prefilled cache for free; a prompt up to the chunk size runs at once (the first one even
    /// over budget, so a new short request never waits for a long prompt's chunks: an iteration reads at most about two
    /// chunks' worth); a longer one takes the chunked lane when that is free, and its first chunk runs now if nothing
    /// else was prefilled in this iteration. What does not fit stays pending for the next iteration.
    /// </summary>
    private void Admit(int budget, bool chunkRan)
    {
        var shortRan = false;
        var index = 0;
        while (index < _pending.Count && Occupied < _decoder.Slots)
        {
            var sequence = _pending[index];
            var owner = sequence.Owner;
            if (owner.IsClosed)
            {
                _pending.RemoveAt(index);
                owner.SequenceDropped();
                continue;
            }

            var shares = SharesPrefill(sequence);
            var cached = shares is null ? CachedBlocks(sequence) : [];
            var reused = cached.Count * (_cache?.BlockTokens ?? 0);
            var length = sequence.Prompt.Length - reused;
            if (shares is null && _chunkTokens > 0 && length > _chunkTokens)
            {
                if (_chunked is not null)
                {
                    index++;
                    continue;
                }

                _pending.RemoveAt(index);
                StartChunked(sequence);
                if (reused > 0)
                {
                    _decoder.LoadPrefix(ChunkSlot, cached, _cache!);
                    sequence.CachedPromptTokens = reused;
                }

                if (!chunkRan && !shortRan)
                {
                    budget -= PrefillNextChunk();
                    chunkRan = true;
                }

                continue;
            }

            if (shares is null && shortRan && length > budget)
            {
                index++;
                continue;
            }

            _pending.RemoveAt(index);
            var slot = _active.Count;
            bool finished;
            try
            {
                if (shares is { } source)
                {
                    _decoder.Copy(source, slot);
                    sequence.CachedPromptTokens = _prefilled!.CachedPromptTokens;
                    Interlocked.Increment(ref _sharedPrefills);
                }
                else
                {
                    _prefilled = null;
                    if (reused > 0)
                    {
                        _decoder.LoadPrefix(slot, cached, _cache!);
                    }

                    _decoder.Append(slot, sequence.Prompt.AsSpan(reused), _prefillLogits, owner.CancellationToken);
                    sequence.CachedPromptTokens = reused;
                    CachePrompt(sequence, slot);
                    _prefilled = sequence;
                    shortRan = true;
                    budget -= Math.Min(budget, length);
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
    /// The cached blocks <paramref name="sequence"/>'s prompt starts with. A match is kept while the sequence waits for a
    /// slot (its blocks stay valid even if evicted); a miss is looked up again on its next turn, since a prompt that
    /// arrived with it (the same system prompt, sent by many clients at once) may have been cached meanwhile.
    /// </summary>
    private IReadOnlyList<PrefixBlock> CachedBlocks(BatchSequence sequence)
    {
        if (sequence.CachedBlocks is not { Count: > 0 } && _cache is not null)
        {
            sequence.CachedBlocks = _cache.Match(sequence.Prompt);
        }

        return sequence.CachedBlocks ?? [];
    }

    /// <summary>Caches the whole blocks of the prompt just prefilled into <paramref name="slot"/>.</summary>
    private void CachePrompt(BatchSequence sequence, int slot)
    {
        sequence.CachedBlocks = null;
        _cache?.Insert(sequence.Prompt, sequence.Prompt.Length, (start, block) => _decoder.CopyBlock(slot, start, block, _cache));
    }

    private void StartChunked(BatchSequence sequence)
    {
        _prefilled = null;
        _chunked = sequence;
        _chunkedSince = Interlocked.Read(ref _steps);
        Interlocked.Increment(ref _admitted);
        Interlocked.Increment(ref _chunkedPrompts);
    }

    /// <summary>
    /// Runs the next chunk of the prompt being prefilled in the chunk slot and returns its token count. After the last
    /// chunk the sequence selects its first token and moves down to the end of the decoding prefix.
    /// </summary>
    private int PrefillNextChunk()
    {
        var sequence = _chunked!;
        var owner = sequence.Owner;
        var slot = ChunkSlot;
        var done = _decoder.Length(slot);
        var prompt = sequence.Prompt;
        var chunk = Math.Min(_chunkTokens, prompt.Length - done);
        var last = done + chunk == prompt.Length;
        bool finished;
        try
        {
            _decoder.Append(slot, prompt.AsSpan(done, chunk), last ? _prefillLogits : [], owner.CancellationToken);
            Interlocked.Increment(ref _prefillChunks);
            if (!last)
            {
                return chunk;
            }

            CachePrompt(sequence, slot);

            _chunked = null;
            Interlocked.Add(ref _stepsDuringChunkedPrefills, Interlocked.Read(ref _steps) - _chunkedSince);
            var target = _active.Count;
            _decoder.Move(slot, target);
            slot = target;
            _prefilled = sequence;
            finished = sequence.Accept(_prefillLogits);
        }
        catch (OperationCanceledException) when (owner.CancellationToken.IsCancellationRequested)
        {
            _chunked = null;
            _decoder.Release(slot);
            owner.SequenceDropped();
            return chunk;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _chunked = null;
            _decoder.Release(slot);
            owner.Fail(ex);
            return chunk;
        }

        if (finished)
        {
            _decoder.Release(slot);
        }
        else
        {
            _active.Add(sequence);
        }

        return chunk;
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
            _decoder.Step(_tokens.AsSpan(0, rows), stop);
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
                finished = sequence.Accept(_decoder.StepLogits(b));
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

    private void FailChunked(Exception error)
    {
        if (_chunked is { } chunked)
        {
            _chunked = null;
            _decoder.Release(ChunkSlot);
            chunked.Owner.Fail(error);
        }
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
