using System.Runtime.InteropServices;
using AkashML.Inference.Native;

namespace AkashML.Inference.Runtime;

/// <summary>
/// The past of a padded batch for graphs whose present is the past with the new tokens appended (MultiHeadAttention and
/// the like): each KV slot's cache packed into one [rows, kv_heads, width, head_size] tensor, rows shorter than the
/// width padded with zeros (the attention mask hides them), and afterwards each row's new keys/values copied from the
/// end of the present back into its slot at its own length. One packing buffer per past tensor, reused across runs.
/// </summary>
internal sealed unsafe class PaddedPast : IDisposable
{
    private readonly DecoderSignature _signature;
    private readonly long _headBytes;
    private readonly IntPtr[] _packed;
    private readonly long[] _packedBytes;

    internal PaddedPast(DecoderSignature signature)
    {
        _signature = signature;
        _headBytes = (long)signature.HeadSize * OrtTensor.ElementSize(signature.KvType);
        _packed = new IntPtr[signature.PastNames.Length];
        _packedBytes = new long[signature.PastNames.Length];
    }

    /// <summary>
    /// Packs slots [<paramref name="firstSlot"/>, + <paramref name="rows"/>) of <paramref name="slots"/> (laid out
    /// [slots, kv_heads, capacity, head_size]) to <paramref name="width"/> positions and returns a tensor over the
    /// packing buffer, valid until the next call for the same <paramref name="index"/>. The caller releases it.
    /// </summary>
    internal IntPtr Pack(int index, IntPtr slots, int capacity, int firstSlot, int rows, ReadOnlySpan<int> lengths, int width)
    {
        var heads = _signature.KvHeads;
        var rowBytes = width * _headBytes;
        var bytes = rows * heads * rowBytes;
        var packed = (byte*)Reserve(index, bytes);
        for (var b = 0; b < rows; b++)
        {
            var slot = firstSlot + b;
            var used = lengths[slot] * _headBytes;
            for (var h = 0; h < heads; h++)
            {
                var from = (byte*)slots + ((((long)slot * heads) + h) * capacity * _headBytes);
                var to = packed + ((((long)b * heads) + h) * rowBytes);
                Buffer.MemoryCopy(from, to, used, used);

                // Masked positions still enter the products; zeros keep stale bits (a NaN) out of them.
                NativeMemory.Clear(to + used, (nuint)(rowBytes - used));
            }
        }

        Span<long> shape = [rows, heads, width, _signature.HeadSize];
        return OrtTensor.Wrap(packed, bytes, _signature.KvType, shape);
    }

    /// <summary>
    /// Copies the last <paramref name="chunk"/> positions of each row of <paramref name="present"/> ([rows, kv_heads,
    /// width + chunk, head_size]) into its slot at the slot's length.
    /// </summary>
    internal void Unpack(IntPtr present, IntPtr slots, int capacity, int firstSlot, int rows, ReadOnlySpan<int> lengths, int width, int chunk)
    {
        var heads = _signature.KvHeads;
        Span<long> shape = stackalloc long[5];
        var rank = OrtTensor.Shape(present, shape, out _);
        if (rank != 4 || shape[0] != rows || shape[1] != heads || shape[2] != width + chunk || shape[3] != _signature.HeadSize)
        {
            throw new InvalidOperationException(
                $"A present output has shape [{string.Join(", ", shape[..rank].ToArray())}], not the past with the new tokens appended " +
                $"([{rows}, {heads}, {width + chunk}, {_signature.HeadSize}]); this graph cannot batch as padded rows.");
        }

        var data = (byte*)OrtTensor.Data(present);
        var presentRowBytes = (width + chunk) * _headBytes;
        var newBytes = chunk * _headBytes;
        for (var b = 0; b < rows; b++)
        {
            var slot = firstSlot + b;
            for (var h = 0; h < heads; h++)
            {
                var from = data + ((((long)b * heads) + h) * presentRowBytes) + (width * _headBytes);
                var to = (byte*)slots + (((((long)slot * heads) + h) * capacity) + lengths[slot]) * _headBytes;
                Buffer.MemoryCopy(from, to, newBytes, newBytes);
            }
        }
    }

    public void Dispose()
    {
        for (var i = 0; i < _packed.Length; i++)
        {
            NativeMemory.AlignedFree((void*)_packed[i]);
            _packed[i] = IntPtr.Zero;
        }
    }

    private void* Reserve(int index, long bytes)
    {
        // Never zero bytes: an empty past still needs a real pointer under its tensor.
        bytes = Math.Max(bytes, 64);
        if (_packedBytes[index] < bytes)
        {
            var size = Math.Max(bytes, _packedBytes[index] * 2);
            NativeMemory.AlignedFree((void*)_packed[index]);
            _packed[index] = IntPtr.Zero;
            _packed[index] = (IntPtr)NativeMemory.AlignedAlloc((nuint)size, 64);
            _packedBytes[index] = size;
        }

        return (void*)_packed[index];
    }
}
