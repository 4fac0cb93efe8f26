using System.Numerics;
using System.Runtime.CompilerServices;
using AkashML.Inference.Native;

namespace AkashML.Inference.Runtime;

/// <summary>
/// One token's logits as the model wrote them (fp32, fp16 or bf16), valid until the next run. Greedy selection can
/// take its maximum straight from the model's type: converting a 32k-vocabulary fp16 row to fp32 and copying it cost
/// more than the choice itself (there is no F16C conversion intrinsic in .NET 10).
/// </summary>
internal readonly unsafe struct LogitsRow
{
    // Order-preserving integer keys of the largest finite values: a key above these is NaN or +∞.
    private const short HalfInfinityKey = 0x7C00;
    private const int SingleInfinityKey = 0x7F800000;

    private readonly void* _data;

    internal LogitsRow(void* data, TensorElementType type, int length)
    {
        if (type is not (TensorElementType.Float or TensorElementType.Float16 or TensorElementType.BFloat16))
        {
            throw new NotSupportedException($"Logits of type {type} are not supported.");
        }

        _data = data;
        Type = type;
        Length = length;
    }

    internal LogitsRow(float* data, int length)
        : this(data, TensorElementType.Float, length)
    {
    }

    internal TensorElementType Type { get; }

    internal int Length { get; }

    /// <summary>The score of <paramref name="index"/> as fp32 (every fp16 and bf16 value is exact in fp32).</summary>
    internal float this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Length, nameof(index));
            return Type switch
            {
                TensorElementType.Float => ((float*)_data)[index],
                TensorElementType.Float16 => (float)((Half*)_data)[index],
                _ => BitConverter.Int32BitsToSingle(((ushort*)_data)[index] << 16),
            };
        }
    }

    internal void CopyTo(Span<float> destination) => LogitsReader.ConvertToFloat(_data, Type, destination[..Length]);

    /// <summary>
    /// The first index of the largest score, found on the model's own type: fp16 and fp32 compare as integers once
    /// negative values' magnitude bits are negated (so −0 equals +0, as in fp32 comparisons). False when the answer
    /// needs the fp32 rules of the caller: the largest value is NaN or ±∞ (or the row is bf16 or empty).
    /// </summary>
    internal bool TryArgMax(out int index)
    {
        index = -1;
        return Length > 0 && Type switch
        {
            TensorElementType.Float16 => TryArgMax(new ReadOnlySpan<short>(_data, Length), HalfInfinityKey, out index),
            TensorElementType.Float => TryArgMax(new ReadOnlySpan<int>(_data, Length), SingleInfinityKey, out index),
            _ => false,
        };
    }

    // Straight to optimised code: a decode step calls it once per row, and tier-0 / instrumented vector code on a 32k row
    // was visible for the first seconds of a server's (and a benchmark's) life.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryArgMax<T>(ReadOnlySpan<T> bits, T infinityKey, out int index)
        where T : unmanaged, IBinaryInteger<T>, ISignedNumber<T>, IMinMaxValue<T>
    {
        index = -1;
        var magnitude = T.MaxValue;
        var width = Vector<T>.Count;
        var max = new Vector<T>(T.MinValue);
        var i = 0;
        for (; i <= bits.Length - width; i += width)
        {
            max = Vector.Max(max, Key(new Vector<T>(bits[i..]), magnitude));
        }

        var best = T.MinValue;
        for (var lane = 0; lane < width; lane++)
        {
            best = T.Max(best, max[lane]);
        }

        for (; i < bits.Length; i++)
        {
            best = T.Max(best, Key(bits[i], magnitude));
        }

        if (best >= infinityKey || best <= -infinityKey)
        {
            return false;
        }

        var target = new Vector<T>(best);
        i = 0;
        for (; i <= bits.Length - width; i += width)
        {
            if (Vector.EqualsAny(Key(new Vector<T>(bits[i..]), magnitude), target))
            {
                break;
            }
        }

        for (; i < bits.Length; i++)
        {
            if (Key(bits[i], magnitude) == best)
            {
                index = i;
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Key<T>(Vector<T> bits, T magnitude)
        where T : unmanaged, IBinaryInteger<T>, ISignedNumber<T>
        => Vector.ConditionalSelect(Vector.LessThan(bits, Vector<T>.Zero), -(bits & new Vector<T>(magnitude)), bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Key<T>(T bits, T magnitude)
        where T : unmanaged, IBinaryInteger<T>, ISignedNumber<T>
        => bits < T.Zero ? -(bits & magnitude) : bits;
}
