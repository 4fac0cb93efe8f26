using System.Runtime.InteropServices;
using AkashML.Inference.Native;
using AkashML.Inference.Runtime.Caching;

namespace AkashML.Inference.Runtime;

/// <summary>
/// KV slots for continuous batching over one model: one [slots, kv_heads, capacity, head_size] buffer per past tensor,
/// a prefill that runs one prompt (or one chunk of it) into one slot, and a decode step that runs one token for each of the first B slots.
/// </summary>
/// <remarks>
/// With GroupQueryAttention and a shared past/present buffer, each row's new key/value is written at that row's own
/// past length (seqlens_k = sum(attention_mask) - 1), so rows of different lengths share one run. Batch is the
/// outermost dimension, so a slot is one contiguous block and a batch of the first B slots is a prefix of the buffer:
/// both are passed to ORT as tensors over that memory (nothing is copied).
/// Graphs whose present is past and new tokens concatenated (MultiHeadAttention and the like) batch as padded rows
/// instead (<see cref="PaddedPast"/>): the rows' caches are packed to the longest row's width with masked gaps, and each
/// row's new key/value is copied back from the end of the present. Only the scheduler's thread may call this.
/// </remarks>
internal sealed unsafe class BatchDecoder : IDisposable
{
    private const int MinimumCapacity = 256;

    private readonly Model _model;
    private readonly DecoderSignature _signature;
    private readonly int _slots;
    private readonly int _vocabSize;
    private readonly int _padTokenId;
    private readonly int[] _eosTokenIds;
    private readonly int _elementSize;
    private readonly OrtRunOptions _runOptions;
    private readonly IntPtr[] _buffers;
    private readonly int[] _lengths;
    private readonly IntPtr[] _inputs;
    private readonly IntPtr[] _outputs;
    private byte[] _ids = [];
    private byte[] _positions = [];
    private byte[] _mask = [];
    private readonly PaddedPast? _padded;
    // Tensors over our own memory that ORT reads and writes in place, kept from run to run: creating and releasing one
    // per KV tensor and the logits on every step showed in the profile. KV views of the first B slots (steps) are kept
    // per B, those of one slot (prefill) per slot; all go when the buffers move (growth, trim).
    private readonly IntPtr[]?[] _stepViews;
    private readonly IntPtr[]?[] _slotViews;
    private readonly IntPtr[] _logitsViews;
    private IntPtr _logitsBuffer;
    // Rows the last step left for StepLogits, and their fp32 copy where several EOS ids are merged.
    private int _stepRows;
    private float* _mergedLogits;
    // A step's token ids and positions ([rows, 1]) live in fixed native buffers, so their tensors are kept per row count
    // instead of being created and released every step; only the mask, whose width grows, is wrapped per run.
    private readonly byte* _stepIds;
    private readonly byte* _stepPositions;
    private readonly IntPtr[] _stepIdViews;
    private readonly IntPtr[] _stepPositionViews;
    private readonly bool[] _ownedInputs;
    private int _capacity;
    private bool _disposed;

    internal BatchDecoder(Model model, int slots)
    {
        if (!Supports(model))
        {
            throw new InvalidOperationException($"The model '{model.Folder}' cannot be batched: it needs separate key/value caches, an attention mask and no n-gram ban.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        _model = model;
        _signature = model.Signature;
        _slots = slots;
        _vocabSize = model.VocabSize;
        _padTokenId = model.PadTokenId;
        _eosTokenIds = [.. model.EosTokenIds];
        _elementSize = OrtTensor.ElementSize(_signature.KvType);
        _runOptions = new OrtRunOptions();
        foreach (var (key, value) in model.RunConfigEntries)
        {
            _runOptions.AddConfigEntry(key, value);
        }

        _buffers = new IntPtr[_signature.PastNames.Length];
        _lengths = new int[slots];
        _inputs = new IntPtr[model.InputNames.Length];
        _outputs = new IntPtr[model.OutputNames.Length];
        _padded = model.Config.Search.PastPresentShareBuffer ? null : new PaddedPast(_signature);
        _stepViews = new IntPtr[]?[slots];
        _slotViews = new IntPtr[]?[slots];
        _logitsViews = new IntPtr[slots];
        _stepIds = (byte*)NativeMemory.AllocZeroed((nuint)slots, sizeof(long));
        _stepPositions = (byte*)NativeMemory.AllocZeroed((nuint)slots, sizeof(long));
        _stepIdViews = new IntPtr[slots];
        _stepPositionViews = new IntPtr[slots];
        _ownedInputs = new bool[_inputs.Length];
    }

    /// <summary>Positions each slot can hold now; it grows on demand up to the model's context_length.</summary>
    internal int Capacity => _capacity;

    internal int Slots => _slots;

    /// <summary>
    /// True when rows of different lengths can share a decode step: separate key/value tensors, an attention mask (it
    /// gives GroupQueryAttention its seqlens_k and masks the gaps of padded rows), no n-gram ban (the per-request path
    /// applies that inside its generator), and either a shared past/present buffer or a graph without
    /// GroupQueryAttention (which, without a shared buffer, writes each row's new key/value at the row's own length,
    /// not after the padded past).
    /// </summary>
    internal static bool Supports(Model model)
    {
        var signature = model.Signature;
        var search = model.Config.Search;
        return (search.PastPresentShareBuffer || !model.UsesGroupQueryAttention)
            && search.NoRepeatNgramSize == 0
            && !signature.CombinedKv
            && signature.PastNames.Length > 0
            && signature.AttentionMask is not null;
    }

    internal int Length(int slot) => _lengths[slot];

    /// <summary>
    /// Makes every slot hold at least <paramref name="positions"/> positions, keeping what occupied slots hold. Prefill
    /// and steps call it, so the cache grows with the longest live sequence rather than with requested max tokens.
    /// </summary>
    internal void EnsureCapacity(int positions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (positions <= _capacity)
        {
            return;
        }

        if (positions > _model.ContextLength)
        {
            throw new ArgumentOutOfRangeException(nameof(positions), positions, $"A slot cannot hold more than the model's context_length {_model.ContextLength}.");
        }

        // Grow geometrically so a stream of slightly longer requests does not copy the cache every time.
        var capacity = Math.Max(MinimumCapacity, _capacity);
        while (capacity < positions)
        {
            capacity *= 2;
        }

        capacity = Math.Min(capacity, _model.ContextLength);
        var heads = _signature.KvHeads;
        var headBytes = (long)_signature.HeadSize * _elementSize;
        var bytes = (nuint)((long)_slots * heads * capacity * headBytes);
        var grown = new IntPtr[_buffers.Length];
        try
        {
            for (var i = 0; i < grown.Length; i++)
            {
                grown[i] = (IntPtr)NativeMemory.AlignedAlloc(bytes, 64);
                NativeMemory.Clear((void*)grown[i], bytes);
                if (_buffers[i] == IntPtr.Zero)
                {
                    continue;
                }

                for (var slot = 0; slot < _slots; slot++)
                {
                    var used = _lengths[slot] * headBytes;
                    for (var h = 0; h < heads; h++)
                    {
                        var from = (byte*)_buffers[i] + (((((long)slot * heads) + h) * _capacity) * headBytes);
                        var to = (byte*)grown[i] + (((((long)slot * heads) + h) * capacity) * headBytes);
                        Buffer.MemoryCopy(from, to, used, used);
                    }
                }
            }
        }
        catch
        {
            foreach (var buffer in grown)
            {
                NativeMemory.AlignedFree((void*)buffer);
            }

            throw;
        }

        ReleaseViews();
        for (var i = 0; i < _buffers.Length; i++)
        {
            NativeMemory.AlignedFree((void*)_buffers[i]);
            _buffers[i] = grown[i];
        }

        _capacity = capacity;
    }

    /// <summary>
    /// Runs <paramref name="prompt"/> into <paramref name="slot"/> (which must be empty) and writes the next-token
    /// logits to <paramref name="logits"/>, exactly as a batch-1 generator's first run does. Cancellation terminates the
    /// run and leaves the slot empty.
    /// </summary>
    internal void Prefill(int slot, ReadOnlySpan<int> prompt, Span<float> logits, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, _slots);
        if (_lengths[slot] != 0)
        {
            throw new InvalidOperationException($"Slot {slot} is occupied.");
        }

        Append(slot, prompt, logits, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="tokens"/> into <paramref name="slot"/> on top of what it already holds, in one batch-1 run
    /// (continuous decoding: positions go on from the slot's length, and GroupQueryAttention takes the past length from
    /// the mask). A long prompt prefilled as several such chunks lets decode steps of other slots run in between. Writes
    /// the logits after the chunk's last non-pad token to <paramref name="logits"/>, or reads none when it is empty (a
    /// chunk in the middle of a prompt). Cancellation terminates the run and leaves the slot's length as it was.
    /// </summary>
    internal void Append(int slot, ReadOnlySpan<int> tokens, Span<float> logits, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, _slots);
        var chunk = tokens.Length;
        if (chunk == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), chunk, "A prompt needs at least one token.");
        }

        var past = _lengths[slot];
        var total = past + chunk;
        EnsureCapacity(total);

        Grow(ref _ids, chunk * sizeof(long));
        Grow(ref _positions, chunk * sizeof(long));
        Grow(ref _mask, total * sizeof(long));
        for (var j = 0; j < chunk; j++)
        {
            WriteInteger(_ids, _signature.InputIdsType, j, tokens[j]);
            WriteInteger(_positions, _signature.PositionIdsType, j, past + j);
        }

        FillInteger(_mask, _signature.AttentionMaskType, 0, total, 1);

        // A single-row generator reads the logits of the last non-pad token of a multi-token chunk; so do we.
        var last = chunk - 1;
        if (chunk > 1)
        {
            for (var j = chunk - 1; j >= 0; j--)
            {
                if (tokens[j] != _padTokenId)
                {
                    last = j;
                    break;
                }
            }
        }

        var ranChunk = chunk;
        if (_padded is not null)
        {
            ranChunk = AppendPadded(slot, tokens, past, cancellationToken);
        }
        else
        {
            Run(slot, 1, chunk, total, cancellationToken);
        }

        _lengths[slot] = total;
        if (logits.IsEmpty)
        {
            ReleaseLogits(_outputs[0]);
            _outputs[0] = IntPtr.Zero;
            return;
        }

        // Token by token, the logits are the last run's, as a single-row generator's are then.
        ReadLogits(1, ranChunk, ranChunk == chunk ? last : 0, logits);
    }

    /// <summary>
    /// One decode step: <paramref name="tokens"/>[b] is appended to slot b for every b &lt; tokens.Length, and row b's
    /// next-token logits go to <paramref name="logits"/>[b × vocab ..]. Every slot in the batch must be occupied.
    /// </summary>
    internal void Step(ReadOnlySpan<int> tokens, Span<float> logits, CancellationToken cancellationToken)
    {
        Step(tokens, cancellationToken);
        for (var b = 0; b < tokens.Length; b++)
        {
            StepLogits(b).CopyTo(logits.Slice(b * _vocabSize, _vocabSize));
        }
    }

    /// <summary>
    /// Row <paramref name="row"/>'s next-token logits of the last <see cref="Step(ReadOnlySpan{int}, CancellationToken)"/>,
    /// in the model's own type (fp32 when several EOS ids had to be merged); valid until the decoder runs or grows again.
    /// </summary>
    internal LogitsRow StepLogits(int row)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)_stepRows, nameof(row));
        var offset = (long)row * _vocabSize;
        return _mergedLogits != null
            ? new LogitsRow(_mergedLogits + offset, _vocabSize)
            : new LogitsRow((byte*)_logitsBuffer + (offset * OrtTensor.ElementSize(_signature.LogitsType)), _signature.LogitsType, _vocabSize);
    }

    /// <summary>
    /// One decode step as above; the rows' logits stay in the step's own buffer for <see cref="StepLogits"/>, so a
    /// greedy choice need not convert them.
    /// </summary>
    internal void Step(ReadOnlySpan<int> tokens, CancellationToken cancellationToken)
    {
        _stepRows = 0;
        ObjectDisposedException.ThrowIf(_disposed, this);
        var rows = tokens.Length;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, _slots);
        var width = 0;
        for (var b = 0; b < rows; b++)
        {
            if (_lengths[b] == 0)
            {
                throw new InvalidOperationException($"Slot {b} is empty; a batch must be the first {rows} occupied slots.");
            }

            width = Math.Max(width, _lengths[b] + 1);
        }

        EnsureCapacity(width);
        Grow(ref _mask, rows * width * sizeof(long));
        for (var b = 0; b < rows; b++)
        {
            WriteInteger(_stepIds, _signature.InputIdsType, b, tokens[b]);
            WriteInteger(_stepPositions, _signature.PositionIdsType, b, _lengths[b]);

            // GroupQueryAttention: ones over the row's own past and new token; the rest of the common width is padding
            // the graph ignores (seqlens_k and cumsum positions only count the ones). Padded rows: the past is packed to
            // width - 1 and the new token comes last, so the gap between the row's end and the last column is masked.
            // Filled as runs, not element by element: the mask is rows × width every step.
            var ones = _padded is null ? _lengths[b] + 1 : _lengths[b];
            FillInteger(_mask, _signature.AttentionMaskType, b * width, ones, 1);
            FillInteger(_mask, _signature.AttentionMaskType, (b * width) + ones, width - ones, 0);
            if (_padded is not null)
            {
                WriteInteger(_mask, _signature.AttentionMaskType, (b * width) + width - 1, 1);
            }
        }

        if (_padded is not null)
        {
            RunPadded(0, rows, 1, width - 1, cancellationToken, step: true);
        }
        else
        {
            Run(0, rows, 1, width, cancellationToken, step: true);
        }

        for (var b = 0; b < rows; b++)
        {
            _lengths[b]++;
        }

        KeepStepLogits(rows);
    }

    /// <summary>Moves slot <paramref name="from"/>'s cache into the empty slot <paramref name="to"/>, so the batch stays a prefix.</summary>
    internal void Move(int from, int to)
    {
        Copy(from, to);
        if (from != to)
        {
            _lengths[from] = 0;
        }
    }

    /// <summary>Copies slot <paramref name="from"/>'s cache into the empty slot <paramref name="to"/> (choices of one prompt share its prefill).</summary>
    internal void Copy(int from, int to)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (from == to)
        {
            return;
        }

        if (_lengths[to] != 0)
        {
            throw new InvalidOperationException($"Slot {to} is occupied.");
        }

        var heads = _signature.KvHeads;
        var headBytes = (long)_signature.HeadSize * _elementSize;
        var used = _lengths[from] * headBytes;
        foreach (var buffer in _buffers)
        {
            for (var h = 0; h < heads; h++)
            {
                var source = (byte*)buffer + (((((long)from * heads) + h) * _capacity) * headBytes);
                var target = (byte*)buffer + (((((long)to * heads) + h) * _capacity) * headBytes);
                Buffer.MemoryCopy(source, target, used, used);
            }
        }

        _lengths[to] = _lengths[from];
    }

    /// <summary>
    /// Fills the empty <paramref name="slot"/> with cached prompt blocks (positions 0 .. blocks × block size), so the rest
    /// of the prompt is appended on top of them as if the slot had run the whole prefix itself.
    /// </summary>
    internal void LoadPrefix(int slot, IReadOnlyList<PrefixBlock> blocks, PrefixCache cache)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_lengths[slot] != 0)
        {
            throw new InvalidOperationException($"Slot {slot} is occupied.");
        }

        var blockTokens = cache.BlockTokens;
        var length = blocks.Count * blockTokens;
        EnsureCapacity(length);
        for (var i = 0; i < _buffers.Length; i++)
        {
            var row = SlotStart(i, slot);
            for (var b = 0; b < blocks.Count; b++)
            {
                cache.Layout.CopyToTensor(blocks[b].Kv, blockTokens, i, row, _capacity, b * blockTokens);
            }
        }

        _lengths[slot] = length;
    }

    /// <summary>Copies one block of <paramref name="slot"/>'s cache, positions <paramref name="start"/>.., into a prefix-cache block.</summary>
    internal void CopyBlock(int slot, int start, Span<byte> block, PrefixCache cache)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (start + cache.BlockTokens > _lengths[slot])
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"Slot {slot} holds {_lengths[slot]} positions.");
        }

        for (var i = 0; i < _buffers.Length; i++)
        {
            cache.Layout.CopyFromTensor(SlotStart(i, slot), _capacity, i, start, cache.BlockTokens, block, cache.BlockTokens, 0);
        }
    }

    /// <summary>Empties a slot; stale data beyond a row's length is never read.</summary>
    internal void Release(int slot) => _lengths[slot] = 0;

    /// <summary>Frees the buffers when every slot is empty (an idle model keeps no cache); they are allocated again on demand.</summary>
    internal void Trim()
    {
        if (_capacity == 0 || _lengths.Any(length => length != 0))
        {
            return;
        }

        ReleaseViews();
        for (var i = 0; i < _buffers.Length; i++)
        {
            NativeMemory.AlignedFree((void*)_buffers[i]);
            _buffers[i] = IntPtr.Zero;
        }

        _capacity = 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ReleaseViews();
        for (var i = 0; i < _buffers.Length; i++)
        {
            NativeMemory.AlignedFree((void*)_buffers[i]);
            _buffers[i] = IntPtr.Zero;
        }

        NativeMemory.AlignedFree(_mergedLogits);
        _mergedLogits = null;
        foreach (var view in (IntPtr[])[.. _stepIdViews, .. _stepPositionViews])
        {
            OrtTensor.Release(view);
        }

        NativeMemory.Free(_stepIds);
        NativeMemory.Free(_stepPositions);
        _padded?.Dispose();
        _runOptions.Dispose();
    }

    private void Run(int firstSlot, int rows, int chunk, int width, CancellationToken cancellationToken, bool step = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var owned = 0;
        var outputs = _outputs.AsSpan();
        outputs.Clear();
        fixed (byte* ids = _ids)
        fixed (byte* positions = _positions)
        fixed (byte* mask = _mask)
        {
            try
            {
                owned = WrapTokenInputs(ids, positions, mask, rows, chunk, width, step);
                var views = KvViews(firstSlot, rows);
                for (var i = 0; i < views.Length; i++)
                {
                    // Input and output at once: GroupQueryAttention writes the new key/value into the shared buffer.
                    _inputs[owned + i] = views[i];
                    outputs[1 + i] = views[i];
                }

                outputs[0] = LogitsView(firstSlot, rows, chunk);
                _model.Run(_runOptions, _inputs, outputs, cancellationToken);
            }
            catch
            {
                ReleaseLogits(outputs[0]);
                outputs[0] = IntPtr.Zero;
                throw;
            }
            finally
            {
                ReleaseInputs(owned);
            }
        }
    }

    /// <summary>The kept KV views of slots <paramref name="firstSlot"/> .. + <paramref name="rows"/>: a step's first slots, or one slot.</summary>
    private IntPtr[] KvViews(int firstSlot, int rows)
    {
        if (firstSlot != 0 && rows != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "Runs cover the first slots or a single slot.");
        }

        ref var cached = ref firstSlot == 0 ? ref _stepViews[rows - 1] : ref _slotViews[firstSlot];
        if (cached is not null)
        {
            return cached;
        }

        var signature = _signature;
        var slotBytes = (long)signature.KvHeads * _capacity * signature.HeadSize * _elementSize;
        Span<long> shape = [rows, signature.KvHeads, _capacity, signature.HeadSize];
        var views = new IntPtr[_buffers.Length];
        try
        {
            for (var i = 0; i < views.Length; i++)
            {
                views[i] = OrtTensor.Wrap((byte*)_buffers[i] + (firstSlot * slotBytes), rows * slotBytes, signature.KvType, shape);
            }
        }
        catch
        {
            foreach (var view in views)
            {
                OrtTensor.Release(view);
            }

            throw;
        }

        cached = views;
        return views;
    }

    /// <summary>
    /// A kept [rows, 1, vocab] tensor over our own buffer for a decode step's logits, so ORT does not allocate them every
    /// step; zero (ORT allocates) for runs of several tokens, whose logits are too large to keep a buffer for.
    /// </summary>
    private IntPtr LogitsView(int firstSlot, int rows, int chunk)
    {
        if (firstSlot != 0 || chunk != 1)
        {
            return IntPtr.Zero;
        }

        if (_logitsViews[rows - 1] is var view && view != IntPtr.Zero)
        {
            return view;
        }

        var type = _signature.LogitsType;
        var rowBytes = (long)_vocabSize * OrtTensor.ElementSize(type);
        if (_logitsBuffer == IntPtr.Zero)
        {
            _logitsBuffer = (IntPtr)NativeMemory.AlignedAlloc((nuint)(_slots * rowBytes), 64);
        }

        Span<long> shape = [rows, 1, _vocabSize];
        view = OrtTensor.Wrap((void*)_logitsBuffer, rows * rowBytes, type, shape);
        _logitsViews[rows - 1] = view;
        return view;
    }

    /// <summary>Releases a logits output unless it is one of the kept views.</summary>
    private void ReleaseLogits(IntPtr value)
    {
        if (value != IntPtr.Zero && Array.IndexOf(_logitsViews, value) < 0)
        {
            OrtTensor.Release(value);
        }
    }

    /// <summary>Drops every kept view (their memory moves or goes); they are made again on demand.</summary>
    private void ReleaseViews()
    {
        _stepRows = 0;
        foreach (var views in (IntPtr[]?[][])[_stepViews, _slotViews])
        {
            for (var v = 0; v < views.Length; v++)
            {
                foreach (var view in views[v] ?? [])
                {
                    OrtTensor.Release(view);
                }

                views[v] = null;
            }
        }

        for (var v = 0; v < _logitsViews.Length; v++)
        {
            OrtTensor.Release(_logitsViews[v]);
            _logitsViews[v] = IntPtr.Zero;
        }

        NativeMemory.AlignedFree((void*)_logitsBuffer);
        _logitsBuffer = IntPtr.Zero;
    }

    /// <summary>
    /// A padded-row append: the chunk in one run on top of the slot's packed past, or, where the graph refuses several
    /// new tokens on a non-empty past, one run per token (the last run's logits are what a single-row generator reads
    /// then too).
    /// </summary>
    /// <returns>The number of tokens the last run took: the chunk, or 1.</returns>
    private int AppendPadded(int slot, ReadOnlySpan<int> tokens, int past, CancellationToken cancellationToken)
    {
        var chunk = tokens.Length;
        if (chunk == 1 || past == 0 || !_model.MultiTokenContinuationFails)
        {
            try
            {
                RunPadded(slot, 1, chunk, past, cancellationToken);
                return chunk;
            }
            catch (OnnxRuntimeException) when (chunk > 1 && past > 0 && !cancellationToken.IsCancellationRequested)
            {
                _model.MultiTokenContinuationFails = true;
            }
        }

        try
        {
            for (var j = 0; j < chunk; j++)
            {
                var length = past + j;
                WriteInteger(_ids, _signature.InputIdsType, 0, tokens[j]);
                WriteInteger(_positions, _signature.PositionIdsType, 0, length);
                FillInteger(_mask, _signature.AttentionMaskType, 0, length + 1, 1);

                if (j > 0)
                {
                    ReleaseLogits(_outputs[0]);
                    _outputs[0] = IntPtr.Zero;
                }

                // Each run writes its key/value at the slot's length, so the slot grows token by token here.
                _lengths[slot] = length;
                RunPadded(slot, 1, 1, length, cancellationToken);
            }
        }
        finally
        {
            // Append sets the new length once the whole chunk has run; a failure leaves the slot as it was.
            _lengths[slot] = past;
        }

        return 1;
    }

    /// <summary>
    /// Runs <paramref name="rows"/> slots from <paramref name="firstSlot"/> over their caches packed to
    /// <paramref name="pastWidth"/> positions, then copies each row's <paramref name="chunk"/> new keys/values from the
    /// end of the presents into its slot at its own length. The caller has written ids, positions and the mask.
    /// </summary>
    private void RunPadded(int firstSlot, int rows, int chunk, int pastWidth, CancellationToken cancellationToken, bool step = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var signature = _signature;
        var padded = _padded!;
        var owned = 0;
        var outputs = _outputs.AsSpan();
        outputs.Clear();
        var width = pastWidth + chunk;
        fixed (byte* ids = _ids)
        fixed (byte* positions = _positions)
        fixed (byte* mask = _mask)
        {
            try
            {
                owned = WrapTokenInputs(ids, positions, mask, rows, chunk, width, step);

                for (var i = 0; i < _buffers.Length; i++)
                {
                    _ownedInputs[owned] = true;
                    _inputs[owned++] = padded.Pack(i, _buffers[i], _capacity, firstSlot, rows, _lengths, pastWidth);
                }

                outputs[0] = LogitsView(firstSlot, rows, chunk);
                _model.Run(_runOptions, _inputs, outputs, cancellationToken);
                for (var i = 0; i < _buffers.Length; i++)
                {
                    padded.Unpack(outputs[1 + i], _buffers[i], _capacity, firstSlot, rows, _lengths, pastWidth, chunk);
                }
            }
            catch
            {
                ReleaseLogits(outputs[0]);
                outputs[0] = IntPtr.Zero;
                throw;
            }
            finally
            {
                ReleaseInputs(owned);

                for (var i = 1; i < outputs.Length; i++)
                {
                    OrtTensor.Release(outputs[i]);
                    outputs[i] = IntPtr.Zero;
                }
            }
        }
    }

    /// <summary>
    /// Puts ids, the mask and positions (pinned by the caller) first among the run's inputs: a step's ids and positions
    /// as the kept tensors over the step buffers, anything else wrapped for this run. Returns how many; the caller hands
    /// that count to <see cref="ReleaseInputs"/>.
    /// </summary>
    private int WrapTokenInputs(byte* ids, byte* positions, byte* mask, int rows, int chunk, int width, bool step)
    {
        var signature = _signature;
        var count = 0;
        try
        {
            Span<long> shape = [rows, chunk];
            _ownedInputs[count] = !step;
            _inputs[count++] = step
                ? StepInput(_stepIdViews, _stepIds, rows, signature.InputIdsType)
                : OrtTensor.Wrap(ids, (long)rows * chunk * OrtTensor.ElementSize(signature.InputIdsType), signature.InputIdsType, shape);
            Span<long> maskShape = [rows, width];
            _ownedInputs[count] = true;
            _inputs[count++] = OrtTensor.Wrap(mask, (long)rows * width * OrtTensor.ElementSize(signature.AttentionMaskType), signature.AttentionMaskType, maskShape);
            if (signature.PositionIds is not null)
            {
                _ownedInputs[count] = !step;
                _inputs[count++] = step
                    ? StepInput(_stepPositionViews, _stepPositions, rows, signature.PositionIdsType)
                    : OrtTensor.Wrap(positions, (long)rows * chunk * OrtTensor.ElementSize(signature.PositionIdsType), signature.PositionIdsType, shape);
            }

            return count;
        }
        catch
        {
            // The caller's cleanup only sees what this returns.
            ReleaseInputs(count);
            throw;
        }
    }

    /// <summary>The kept [rows, 1] tensor over a step buffer.</summary>
    private static IntPtr StepInput(IntPtr[] views, byte* buffer, int rows, TensorElementType type)
    {
        if (views[rows - 1] == IntPtr.Zero)
        {
            Span<long> shape = [rows, 1];
            views[rows - 1] = OrtTensor.Wrap(buffer, (long)rows * OrtTensor.ElementSize(type), type, shape);
        }

        return views[rows - 1];
    }

    /// <summary>Releases the first <paramref name="count"/> inputs that were made for one run, and clears them all.</summary>
    private void ReleaseInputs(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (_ownedInputs[i])
            {
                OrtTensor.Release(_inputs[i]);
            }

            _ownedInputs[i] = false;
            _inputs[i] = IntPtr.Zero;
        }
    }

    /// <summary>Copies row b's logits at token <paramref name="index"/> of the run to <paramref name="destination"/>, then releases the output.</summary>
    private void ReadLogits(int rows, int chunk, int index, Span<float> destination)
    {
        var value = _outputs[0];
        _outputs[0] = IntPtr.Zero;
        try
        {
            Span<long> shape = stackalloc long[4];
            var rank = OrtTensor.Shape(value, shape, out var type);
            if (rank != 3 || shape[0] != rows || shape[1] != chunk || shape[2] != _vocabSize)
            {
                throw new InvalidOperationException(
                    $"The logits output has shape [{string.Join(", ", shape[..rank].ToArray())}]; expected [{rows}, {chunk}, {_vocabSize}].");
            }

            var elementSize = OrtTensor.ElementSize(type);
            var data = (byte*)OrtTensor.Data(value);
            for (var r = 0; r < rows; r++)
            {
                var row = destination.Slice(r * _vocabSize, _vocabSize);
                LogitsReader.ConvertToFloat(data + ((((long)r * chunk) + index) * _vocabSize * elementSize), type, row);
                LogitsReader.MergeEos(row, _eosTokenIds);
            }
        }
        finally
        {
            ReleaseLogits(value);
        }
    }

    /// <summary>Checks a step's logits (always the kept view over <see cref="_logitsBuffer"/>) and merges several EOS ids into an fp32 copy.</summary>
    private void KeepStepLogits(int rows)
    {
        var value = _outputs[0];
        _outputs[0] = IntPtr.Zero;
        try
        {
            Span<long> shape = stackalloc long[4];
            var rank = OrtTensor.Shape(value, shape, out var type);
            if (rank != 3 || shape[0] != rows || shape[1] != 1 || shape[2] != _vocabSize || OrtTensor.Data(value) != (void*)_logitsBuffer)
            {
                throw new InvalidOperationException(
                    $"The logits output has shape [{string.Join(", ", shape[..rank].ToArray())}]; expected [{rows}, 1, {_vocabSize}] in the step's own buffer.");
            }

            if (_eosTokenIds.Length > 1)
            {
                if (_mergedLogits == null)
                {
                    _mergedLogits = (float*)NativeMemory.AlignedAlloc((nuint)((long)_slots * _vocabSize * sizeof(float)), 64);
                }

                var elementSize = OrtTensor.ElementSize(type);
                for (var r = 0; r < rows; r++)
                {
                    var row = new Span<float>(_mergedLogits + ((long)r * _vocabSize), _vocabSize);
                    LogitsReader.ConvertToFloat((byte*)_logitsBuffer + ((long)r * _vocabSize * elementSize), type, row);
                    LogitsReader.MergeEos(row, _eosTokenIds);
                }
            }

            _stepRows = rows;
        }
        finally
        {
            ReleaseLogits(value);
        }
    }

    private byte* SlotStart(int tensor, int slot) =>
        (byte*)_buffers[tensor] + ((long)slot * _signature.KvHeads * _capacity * _signature.HeadSize * _elementSize);

    private static void WriteInteger(byte[] buffer, TensorElementType type, int index, long value)
    {
        if (type == TensorElementType.Int64)
        {
            MemoryMarshal.Cast<byte, long>(buffer.AsSpan())[index] = value;
        }
        else
        {
            MemoryMarshal.Cast<byte, int>(buffer.AsSpan())[index] = (int)value;
        }
    }

    private static void WriteInteger(byte* buffer, TensorElementType type, int index, long value)
    {
        if (type == TensorElementType.Int64)
        {
            ((long*)buffer)[index] = value;
        }
        else
        {
            ((int*)buffer)[index] = (int)value;
        }
    }

    private static void FillInteger(byte[] buffer, TensorElementType type, int start, int count, long value)
    {
        if (type == TensorElementType.Int64)
        {
            MemoryMarshal.Cast<byte, long>(buffer.AsSpan()).Slice(start, count).Fill(value);
        }
        else
        {
            MemoryMarshal.Cast<byte, int>(buffer.AsSpan()).Slice(start, count).Fill((int)value);
        }
    }

    private static void Grow(ref byte[] buffer, int bytes)
    {
        if (buffer.Length < bytes)
        {
            buffer = new byte[Math.Max(bytes, buffer.Length * 2)];
        }
    }
}
