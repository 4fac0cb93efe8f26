using System.Runtime.InteropServices;
using AkashML.Inference.Native;
using AkashML.Inference.Runtime.Caching;

namespace AkashML.Inference.Runtime;

/// <summary>
/// The per-generator side of a model: its KV cache, attention mask, positions and run options, for
/// <c>rows</c> = batch × beams sequences. Every tensor has the batch dimension first, and nothing here is shared with
/// other generators, so the session itself stays stateless.
/// <para>KV hand-over never copies: ORT allocates each run's presents and they become the next run's pasts
/// (the old pasts are released). With a shared buffer (GroupQueryAttention graphs) one max_length-sized tensor per
/// key/value is passed as both past input and present output and ORT writes the new positions in place.</para>
/// </summary>
internal sealed unsafe class DecoderState : IDisposable
{
    private readonly Model _model;
    private readonly DecoderSignature _signature;
    private readonly int _rows;
    private readonly int _maxLength;
    private readonly int _vocabSize;
    private readonly bool _sharedBuffer;
    private readonly int _padTokenId;
    private readonly int[] _eosTokenIds;
    private readonly OrtRunOptions _runOptions;
    private readonly OrtValueHandle?[] _past;
    private readonly OrtValueHandle[] _emptyPast;
    private readonly IntPtr[] _inputs;
    private readonly IntPtr[] _outputs;
    private readonly byte[] _maskBits;
    private readonly int[] _nextPosition;
    private readonly int[] _pendingNextPosition;
    private readonly int[] _lastTokenIndex;
    private int _lastChunk;
    private readonly int[] _column;
    private readonly long[] _kvShape;
    private byte[] _ids = [];
    private byte[] _positions = [];
    // A one-token run's ids and positions ([rows, 1]) live in fixed native buffers under tensors kept for the state's
    // life, instead of two tensors created and released every decode step; only the growing mask is wrapped per run.
    private readonly byte* _stepIds;
    private readonly byte* _stepPositions;
    private readonly IntPtr _stepIdsView;
    private readonly IntPtr _stepPositionsView;
    private byte[] _mask = [];
    private OrtValueHandle? _logits;
    private int _kvLength;
    private bool _disposed;

    internal DecoderState(Model model, int rows, int maxLength, bool sharedBuffer)
    {
        _model = model;
        _signature = model.Signature;
        _rows = rows;
        _maxLength = maxLength;
        _vocabSize = model.VocabSize;
        _sharedBuffer = sharedBuffer && _signature.PastNames.Length > 0;
        _padTokenId = model.PadTokenId;
        _eosTokenIds = [.. model.EosTokenIds];
        _runOptions = new OrtRunOptions();
        foreach (var (key, value) in model.RunConfigEntries)
        {
            _runOptions.AddConfigEntry(key, value);
        }

        var kvCount = _signature.PastNames.Length;
        _past = new OrtValueHandle?[kvCount];
        _emptyPast = new OrtValueHandle[kvCount];
        _inputs = new IntPtr[model.InputNames.Length];
        _outputs = new IntPtr[model.OutputNames.Length];
        _maskBits = new byte[rows * maxLength];
        _nextPosition = new int[rows];
        _pendingNextPosition = new int[rows];
        _lastTokenIndex = new int[rows];
        _column = new int[rows];
        _kvShape = _signature.CombinedKv
            ? [2, rows, _signature.KvHeads, 0, _signature.HeadSize]
            : [rows, _signature.KvHeads, 0, _signature.HeadSize];

        _stepIds = (byte*)NativeMemory.AllocZeroed((nuint)rows, sizeof(long));
        _stepPositions = (byte*)NativeMemory.AllocZeroed((nuint)rows, sizeof(long));
        Span<long> stepShape = [rows, 1];
        _stepIdsView = OrtTensor.Wrap(_stepIds, (long)rows * OrtTensor.ElementSize(_signature.InputIdsType), _signature.InputIdsType, stepShape);
        if (_signature.PositionIds is not null)
        {
            _stepPositionsView = OrtTensor.Wrap(_stepPositions, (long)rows * OrtTensor.ElementSize(_signature.PositionIdsType), _signature.PositionIdsType, stepShape);
        }

        var seqAxis = _kvShape.Length - 2;
        _kvShape[seqAxis] = _sharedBuffer ? maxLength : 0;
        for (var i = 0; i < kvCount; i++)
        {
            if (_sharedBuffer)
            {
                var buffer = OrtTensor.Allocate(_signature.KvType, _kvShape);
                nuint bytes;
                OrtApi.ThrowIfFailed(OrtApi.GetTensorSizeInBytes(buffer.DangerousGetHandle(), &bytes), "GetTensorSizeInBytes");
                NativeMemory.Clear(OrtTensor.Data(buffer.DangerousGetHandle()), bytes);
                _past[i] = buffer;
            }
            else
            {
                _emptyPast[i] = OrtTensor.Allocate(_signature.KvType, _kvShape);
            }
        }
    }

    /// <summary>Positions held in the KV cache.</summary>
    internal int KvLength => _kvLength;

    internal int Rows => _rows;

    /// <summary>
    /// Runs <paramref name="chunk"/> new tokens per row (<paramref name="tokens"/> is row-major, rows × chunk) on top of the
    /// cache and writes each row's next-token logits (fp32, EOS-merged as GenAI does) to <paramref name="logits"/>.
    /// Nothing changes when it throws. Cancellation terminates the running graph and surfaces as
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    internal void Run(ReadOnlySpan<int> tokens, int chunk, Span<float> logits, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var continuation = chunk > 1 && _kvLength > 0 && !_sharedBuffer;
        if (continuation && _model.MultiTokenContinuationFails)
        {
            RunOneByOne(tokens, chunk, logits, cancellationToken);
            return;
        }

        try
        {
            RunChunk(tokens, chunk, logits, cancellationToken);
        }
        catch (OnnxRuntimeException) when (continuation && !cancellationToken.IsCancellationRequested)
        {
            _model.MultiTokenContinuationFails = true;
            RunOneByOne(tokens, chunk, logits, cancellationToken);
        }
    }

    /// <summary>A single row with separate key and value tensors: what prefix-cache blocks can be loaded into and copied from.</summary>
    internal bool CanReusePrefix => _rows == 1 && !_signature.CombinedKv && _past.Length > 0;

    /// <summary>
    /// Starts the empty cache from cached prompt blocks (positions 0 .. blocks × block size): the next run continues
    /// after them with the positions and mask it would have after running those tokens itself.
    /// </summary>
    internal void LoadPrefix(IReadOnlyList<PrefixBlock> blocks, PrefixCache cache)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!CanReusePrefix || _kvLength != 0)
        {
            throw new InvalidOperationException("Cached blocks load only into an empty single-row cache with separate keys and values.");
        }

        var blockTokens = cache.BlockTokens;
        var length = blocks.Count * blockTokens;
        if (length == 0)
        {
            return;
        }

        if (length >= _maxLength)
        {
            throw new InvalidOperationException($"{length} cached positions leave no room under max_length {_maxLength}.");
        }

        for (var i = 0; i < _past.Length; i++)
        {
            var capacity = _sharedBuffer ? _maxLength : length;
            var target = _sharedBuffer ? _past[i]! : AllocatePast(length);
            var row = (byte*)OrtTensor.Data(target.DangerousGetHandle());
            for (var b = 0; b < blocks.Count; b++)
            {
                cache.Layout.CopyToTensor(blocks[b].Kv, blockTokens, i, row, capacity, b * blockTokens);
            }

            if (!_sharedBuffer)
            {
                _past[i]?.Dispose();
                _past[i] = target;
            }
        }

        _maskBits.AsSpan(0, length).Fill(1);
        _nextPosition[0] = length;
        _kvLength = length;
    }

    /// <summary>Copies positions <paramref name="start"/>.. of the cache into a prefix-cache block.</summary>
    internal void CopyBlock(int start, Span<byte> block, PrefixCache cache)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!CanReusePrefix || start + cache.BlockTokens > _kvLength)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"The cache holds {_kvLength} positions.");
        }

        Span<long> shape = stackalloc long[5];
        for (var i = 0; i < _past.Length; i++)
        {
            var value = _past[i]!.DangerousGetHandle();
            var rank = OrtTensor.Shape(value, shape, out _);
            cache.Layout.CopyFromTensor((byte*)OrtTensor.Data(value), (int)shape[rank - 2], i, start, cache.BlockTokens, block, cache.BlockTokens, 0);
        }
    }

    /// <summary>Cuts the cache back to <paramref name="length"/> positions (batch 1, or 0 for any batch).</summary>
    internal void Truncate(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (length >= _kvLength)
        {
            return;
        }

        if (!_sharedBuffer)
        {
            for (var i = 0; i < _past.Length; i++)
            {
                var old = _past[i];
                _past[i] = length == 0 || old is null ? null : Slice(old, length);
                old?.Dispose();
            }
        }

        _kvLength = length;
        for (var r = 0; r < _rows; r++)
        {
            _nextPosition[r] = length;
        }

        if (length == 0)
        {
            Array.Clear(_maskBits);
        }
    }

    /// <summary>Beam search: row r continues from row <paramref name="sourceRows"/>[r]; copies the chosen rows' cache.</summary>
    internal void ReorderRows(ReadOnlySpan<int> sourceRows)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var identity = true;
        for (var r = 0; r < _rows && identity; r++)
        {
            identity = sourceRows[r] == r;
        }

        if (identity || _kvLength == 0)
        {
            return;
        }

        if (_sharedBuffer)
        {
            throw new InvalidOperationException("A shared past/present buffer cannot be reordered; beam search turns sharing off.");
        }

        Span<long> dims = stackalloc long[5];
        for (var i = 0; i < _past.Length; i++)
        {
            var source = _past[i]!;
            var rank = OrtTensor.Shape(source.DangerousGetHandle(), dims, out var type);
            var shape = dims[..rank];
            var outer = _signature.CombinedKv ? 2 : 1;
            var rowBytes = OrtTensor.ElementSize(type) * shape[rank - 3] * shape[rank - 2] * shape[rank - 1];
            var target = OrtTensor.Allocate(type, shape);
            var from = (byte*)OrtTensor.Data(source.DangerousGetHandle());
            var to = (byte*)OrtTensor.Data(target.DangerousGetHandle());
            for (var o = 0; o < outer; o++)
            {
                for (var r = 0; r < _rows; r++)
                {
                    Buffer.MemoryCopy(
                        from + (((long)o * _rows) + sourceRows[r]) * rowBytes,
                        to + (((long)o * _rows) + r) * rowBytes,
                        rowBytes,
                        rowBytes);
                }
            }

            _past[i] = target;
            source.Dispose();
        }

        var bits = new byte[_maskBits.Length];
        for (var r = 0; r < _rows; r++)
        {
            _maskBits.AsSpan(sourceRows[r] * _maxLength, _maxLength).CopyTo(bits.AsSpan(r * _maxLength));
            _pendingNextPosition[r] = _nextPosition[sourceRows[r]];
        }

        bits.CopyTo(_maskBits.AsSpan());
        _pendingNextPosition.CopyTo(_nextPosition.AsSpan());
    }

    /// <summary>The raw logits output of the last run (all positions), as fp32, with its shape.</summary>
    internal float[] CopyRawLogits(out long[] shape)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_logits is null)
        {
            throw new InvalidOperationException("The model has not run yet; there is no logits output.");
        }

        Span<long> dims = stackalloc long[8];
        var rank = OrtTensor.Shape(_logits.DangerousGetHandle(), dims, out var type);
        shape = dims[..rank].ToArray();
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        var result = new float[count];
        LogitsReader.ConvertToFloat(OrtTensor.Data(_logits.DangerousGetHandle()), type, result);
        return result;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var past in _past)
        {
            past?.Dispose();
        }

        foreach (var empty in _emptyPast)
        {
            empty?.Dispose();
        }

        _logits?.Dispose();
        OrtTensor.Release(_stepIdsView);
        OrtTensor.Release(_stepPositionsView);
        NativeMemory.Free(_stepIds);
        NativeMemory.Free(_stepPositions);
        _runOptions.Dispose();
    }

    private void RunOneByOne(ReadOnlySpan<int> tokens, int chunk, Span<float> logits, CancellationToken cancellationToken)
    {
        for (var j = 0; j < chunk; j++)
        {
            for (var r = 0; r < _rows; r++)
            {
                _column[r] = tokens[(r * chunk) + j];
            }

            RunChunk(_column, 1, logits, cancellationToken);
        }
    }

    private void RunChunk(ReadOnlySpan<int> tokens, int chunk, Span<float> logits, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var total = _kvLength + chunk;
        if (total > _maxLength)
        {
            throw new InvalidOperationException($"{total} positions exceed the generator's max_length {_maxLength}.");
        }

        var signature = _signature;
        var cells = _rows * chunk;
        var idsSize = OrtTensor.ElementSize(signature.InputIdsType);
        var positionSize = OrtTensor.ElementSize(signature.PositionIdsType);
        var maskSize = OrtTensor.ElementSize(signature.AttentionMaskType);
        Grow(ref _ids, cells * idsSize);
        Grow(ref _positions, cells * positionSize);
        Grow(ref _mask, _rows * total * maskSize);

        FillIdsPositionsAndMask(tokens, chunk, total);

        var inputValueCount = 0;
        var tokenInputs = 0;
        var outputs = _outputs.AsSpan();
        outputs.Clear();
        fixed (byte* ids = _ids)
        fixed (byte* positions = _positions)
        fixed (byte* mask = _mask)
        {
            try
            {
                // The model's input order: ids, mask, positions. A one-token run's ids and positions are the kept tensors.
                Span<long> shape = [_rows, chunk];
                var step = chunk == 1;
                _inputs[inputValueCount++] = step ? _stepIdsView : OrtTensor.Wrap(ids, (long)cells * idsSize, signature.InputIdsType, shape);
                tokenInputs++;
                if (signature.AttentionMask is not null)
                {
                    Span<long> maskShape = [_rows, total];
                    _inputs[inputValueCount++] = OrtTensor.Wrap(mask, (long)_rows * total * maskSize, signature.AttentionMaskType, maskShape);
                    tokenInputs++;
                }

                if (signature.PositionIds is not null)
                {
                    _inputs[inputValueCount++] = step ? _stepPositionsView : OrtTensor.Wrap(positions, (long)cells * positionSize, signature.PositionIdsType, shape);
                    tokenInputs++;
                }

                for (var i = 0; i < _past.Length; i++)
                {
                    var past = _past[i] ?? _emptyPast[i];
                    _inputs[inputValueCount++] = past.DangerousGetHandle();
                    if (_sharedBuffer)
                    {
                        outputs[1 + i] = past.DangerousGetHandle();
                    }
                }

                _model.Run(_runOptions, _inputs, outputs, cancellationToken);
            }
            catch
            {
                if (!_sharedBuffer)
                {
                    foreach (var allocated in outputs)
                    {
                        OrtTensor.Release(allocated);
                    }
                }
                else
                {
                    OrtTensor.Release(outputs[0]);
                }

                throw;
            }
            finally
            {
                for (var i = 0; i < tokenInputs; i++)
                {
                    if (_inputs[i] != _stepIdsView && _inputs[i] != _stepPositionsView)
                    {
                        OrtTensor.Release(_inputs[i]);
                    }

                    _inputs[i] = IntPtr.Zero;
                }

                GC.KeepAlive(_past);
                GC.KeepAlive(_emptyPast);
            }
        }

        // Success: hand presents over as the next pasts and keep the logits output.
        _logits?.Dispose();
        _logits = new OrtValueHandle(outputs[0]);
        if (!_sharedBuffer)
        {
            for (var i = 0; i < _past.Length; i++)
            {
                var old = _past[i];
                _past[i] = new OrtValueHandle(outputs[1 + i]);
                old?.Dispose();
            }
        }

        _kvLength = total;
        _pendingNextPosition.CopyTo(_nextPosition.AsSpan());
        _lastChunk = chunk;
        if (!logits.IsEmpty)
        {
            ExtractLastTokenLogits(chunk, logits);
        }
    }

    private void FillIdsPositionsAndMask(ReadOnlySpan<int> tokens, int chunk, int total)
    {
        var signature = _signature;
        var idsAreLong = signature.InputIdsType == TensorElementType.Int64;
        var positionsAreLong = signature.PositionIdsType == TensorElementType.Int64;
        var maskIsLong = signature.AttentionMaskType == TensorElementType.Int64;
        var idsTarget = chunk == 1 ? new Span<byte>(_stepIds, _rows * sizeof(long)) : _ids.AsSpan();
        var positionsTarget = chunk == 1 ? new Span<byte>(_stepPositions, _rows * sizeof(long)) : _positions.AsSpan();

        // A batched prompt (rows > 1, empty cache): trailing pads get mask 0 and position 0; the last non-pad token and
        // everything left of it get mask 1 and their absolute index (GenAI pads on the right).
        var paddedPrompt = _kvLength == 0 && _rows > 1;
        for (var r = 0; r < _rows; r++)
        {
            var row = tokens.Slice(r * chunk, chunk);
            var lastReal = chunk - 1;
            if (paddedPrompt || chunk > 1)
            {
                lastReal = -1;
                for (var j = chunk - 1; j >= 0; j--)
                {
                    if (row[j] != _padTokenId)
                    {
                        lastReal = j;
                        break;
                    }
                }
            }

            _lastTokenIndex[r] = lastReal >= 0 ? lastReal : chunk - 1;
            var bits = _maskBits.AsSpan(r * _maxLength, _maxLength);
            for (var j = 0; j < chunk; j++)
            {
                long position;
                if (paddedPrompt)
                {
                    var real = j <= lastReal;
                    bits[j] = real ? (byte)1 : (byte)0;
                    position = real ? j : 0;
                }
                else
                {
                    bits[_kvLength + j] = 1;
                    position = _nextPosition[r] + j;
                }

                var cell = (r * chunk) + j;
                if (idsAreLong)
                {
                    MemoryMarshal.Cast<byte, long>(idsTarget)[cell] = row[j];
                }
                else
                {
                    MemoryMarshal.Cast<byte, int>(idsTarget)[cell] = row[j];
                }

                if (positionsAreLong)
                {
                    MemoryMarshal.Cast<byte, long>(positionsTarget)[cell] = position;
                }
                else
                {
                    MemoryMarshal.Cast<byte, int>(positionsTarget)[cell] = (int)position;
                }
            }

            _pendingNextPosition[r] = paddedPrompt ? (lastReal >= 0 ? lastReal + 1 : 0) : _nextPosition[r] + chunk;

            if (maskIsLong)
            {
                var mask = MemoryMarshal.Cast<byte, long>(_mask.AsSpan()).Slice(r * total, total);
                for (var t = 0; t < total; t++)
                {
                    mask[t] = bits[t];
                }
            }
            else
            {
                var mask = MemoryMarshal.Cast<byte, int>(_mask.AsSpan()).Slice(r * total, total);
                for (var t = 0; t < total; t++)
                {
                    mask[t] = bits[t];
                }
            }
        }
    }


    /// <summary>The last run's next-token logits ([rows, vocab], fp32, EOS ids merged), for a run that was given no destination.</summary>
    internal void ReadLogits(Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_logits is null)
        {
            throw new InvalidOperationException("The model has not run yet; there is no logits output.");
        }

        ExtractLastTokenLogits(_lastChunk, destination);
    }

    /// <summary>
    /// Row <paramref name="row"/>'s next-token logits of the last run in the model's own type, valid until the next run;
    /// null where several EOS ids must first be merged in fp32 (<see cref="ReadLogits"/> does that).
    /// </summary>
    internal LogitsRow? LastTokenLogits(int row)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)_rows, nameof(row));
        if (_logits is null || _eosTokenIds.Length > 1)
        {
            return null;
        }

        var data = LogitsData(_lastChunk, out var type, out var elementSize);
        var index = _lastChunk == 1 ? 0 : _lastTokenIndex[row];
        return new LogitsRow(data + ((((long)row * _lastChunk) + index) * _vocabSize * elementSize), type, _vocabSize);
    }

    private byte* LogitsData(int chunk, out TensorElementType type, out int elementSize)
    {
        var value = _logits!.DangerousGetHandle();
        Span<long> shape = stackalloc long[4];
        var rank = OrtTensor.Shape(value, shape, out type);
        if (rank != 3 || shape[0] != _rows || shape[1] != chunk)
        {
            throw new InvalidOperationException(
                $"The logits output has shape [{string.Join(", ", shape[..rank].ToArray())}]; expected [{_rows}, {chunk}, vocab_size].");
        }

        if (shape[2] != _vocabSize)
        {
            throw new InvalidOperationException(
                $"The logits output has {shape[2]} entries per token but genai_config.json says model.vocab_size is {_vocabSize}.");
        }

        elementSize = OrtTensor.ElementSize(type);
        return (byte*)OrtTensor.Data(value);
    }

    private void ExtractLastTokenLogits(int chunk, Span<float> destination)
    {
        var data = LogitsData(chunk, out var type, out var elementSize);
        for (var r = 0; r < _rows; r++)
        {
            var index = chunk == 1 ? 0 : _lastTokenIndex[r];
            var source = data + ((((long)r * chunk) + index) * _vocabSize * elementSize);
            LogitsReader.ConvertToFloat(source, type, destination.Slice(r * _vocabSize, _vocabSize));
        }

        if (_eosTokenIds.Length > 1)
        {
            for (var r = 0; r < _rows; r++)
            {
                LogitsReader.MergeEos(destination.Slice(r * _vocabSize, _vocabSize), _eosTokenIds);
            }
        }
    }

    private OrtValueHandle Slice(OrtValueHandle source, int length)
    {
        Span<long> shape = stackalloc long[5];
        var rank = OrtTensor.Shape(source.DangerousGetHandle(), shape, out var type);
        shape = shape[..rank];
        var oldLength = shape[rank - 2];
        var blockCount = 1L;
        for (var d = 0; d < rank - 2; d++)
        {
            blockCount *= shape[d];
        }

        var rowBytes = shape[rank - 1] * OrtTensor.ElementSize(type);
        shape[rank - 2] = length;
        var target = OrtTensor.Allocate(type, shape);
        var from = (byte*)OrtTensor.Data(source.DangerousGetHandle());
        var to = (byte*)OrtTensor.Data(target.DangerousGetHandle());
        var copyBytes = length * rowBytes;
        for (var b = 0L; b < blockCount; b++)
        {
            Buffer.MemoryCopy(from + (b * oldLength * rowBytes), to + (b * copyBytes), copyBytes, copyBytes);
        }

        return target;
    }

    private OrtValueHandle AllocatePast(int length)
    {
        var shape = (long[])_kvShape.Clone();
        shape[^2] = length;
        return OrtTensor.Allocate(_signature.KvType, shape);
    }

    private static void Grow(ref byte[] buffer, int bytes)
    {
        if (buffer.Length < bytes)
        {
            buffer = new byte[Math.Max(bytes, buffer.Length * 2)];
        }
    }
}
