using System.Numerics;
using System.Runtime.InteropServices;

namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// Vectorised passes over a vocabulary-sized span: maximum, shifted exponentials, thresholding and the weighted
/// draw. Sums run in a fixed order, so results are reproducible on one machine (vector width is part of the order).
/// </summary>
internal static class LogitMath
{
    /// <summary>Tokens per block in <see cref="DrawIndex"/>: a vector sum per block, then a scalar walk in one block.</summary>
    private const int DrawBlock = 1024;

    /// <summary>
    /// Largest logit. NaN (a numerically broken model output) becomes −∞ and +∞ becomes <see cref="float.MaxValue"/>
    /// first, so the softmax below stays finite.
    /// </summary>
    public static float SanitizedMax(Span<float> logits)
    {
        var width = Vector<float>.Count;
        var max = new Vector<float>(float.NegativeInfinity);
        var nan = Vector<int>.Zero;
        ref var start = ref MemoryMarshal.GetReference(logits);
        var i = 0;
        for (; i <= logits.Length - width; i += width)
        {
            var v = Vector.LoadUnsafe(ref start, (nuint)i);
            max = Vector.Max(max, v);
            nan |= ~Vector.Equals(v, v);
        }

        var scalarMax = float.NegativeInfinity;
        var hasNaN = nan != Vector<int>.Zero;
        for (var lane = 0; lane < width; lane++)
        {
            scalarMax = MathF.Max(scalarMax, max[lane]);
        }

        for (; i < logits.Length; i++)
        {
            hasNaN |= float.IsNaN(logits[i]);
            scalarMax = MathF.Max(scalarMax, logits[i]);
        }

        if (!hasNaN && !float.IsPositiveInfinity(scalarMax))
        {
            return scalarMax;
        }

        scalarMax = float.NegativeInfinity;
        for (i = 0; i < logits.Length; i++)
        {
            var x = logits[i];
            x = float.IsNaN(x) ? float.NegativeInfinity : float.IsPositiveInfinity(x) ? float.MaxValue : x;
            logits[i] = x;
            scalarMax = MathF.Max(scalarMax, x);
        }

        return scalarMax;
    }

    /// <summary>First index holding <paramref name="value"/> (the argmax when given the maximum), or −1.</summary>
    public static int IndexOf(ReadOnlySpan<float> values, float value)
    {
        var width = Vector<float>.Count;
        var target = new Vector<float>(value);
        ref var start = ref MemoryMarshal.GetReference(values);
        var i = 0;
        for (; i <= values.Length - width; i += width)
        {
            if (Vector.EqualsAny(Vector.LoadUnsafe(ref start, (nuint)i), target))
            {
                break;
            }
        }

        for (; i < values.Length; i++)
        {
            if (values[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Writes exp((x − shift) × scale) for every logit and returns their sum.</summary>
    public static double ExpShifted(ReadOnlySpan<float> logits, float shift, float scale, Span<float> weights)
    {
        var width = Vector<float>.Count;
        var shiftV = new Vector<float>(shift);
        var scaleV = new Vector<float>(scale);
        var sumV = Vector<float>.Zero;
        ref var source = ref MemoryMarshal.GetReference(logits);
        ref var destination = ref MemoryMarshal.GetReference(weights);
        var i = 0;
        for (; i <= logits.Length - width; i += width)
        {
            var w = Vector.Exp((Vector.LoadUnsafe(ref source, (nuint)i) - shiftV) * scaleV);
            w.StoreUnsafe(ref destination, (nuint)i);
            sumV += w;
        }

        double sum = Vector.Sum(sumV);
        for (; i < logits.Length; i++)
        {
            var w = MathF.Exp((logits[i] - shift) * scale);
            weights[i] = w;
            sum += w;
        }

        return sum;
    }

    /// <summary>The sum <see cref="ExpShifted"/> returns, bit for bit, without writing the exponentials anywhere.</summary>
    public static double SumExpShifted(ReadOnlySpan<float> logits, float shift, float scale)
    {
        var width = Vector<float>.Count;
        var shiftV = new Vector<float>(shift);
        var scaleV = new Vector<float>(scale);
        var sumV = Vector<float>.Zero;
        ref var source = ref MemoryMarshal.GetReference(logits);
        var i = 0;
        for (; i <= logits.Length - width; i += width)
        {
            sumV += Vector.Exp((Vector.LoadUnsafe(ref source, (nuint)i) - shiftV) * scaleV);
        }

        double sum = Vector.Sum(sumV);
        for (; i < logits.Length; i++)
        {
            sum += MathF.Exp((logits[i] - shift) * scale);
        }

        return sum;
    }

    /// <summary>
    /// Writes, for each of <paramref name="ids"/>, the value <see cref="ExpShifted"/> would write at that index — the
    /// vector exponential inside the vectorised part, the scalar one in the tail — so a few candidates get exactly the
    /// weights a whole-vocabulary pass would have given them.
    /// </summary>
    public static void ExpShiftedAt(ReadOnlySpan<float> logits, ReadOnlySpan<int> ids, float shift, float scale, Span<float> weights)
    {
        var width = Vector<float>.Count;
        var vectorEnd = logits.Length - (logits.Length % width);
        Span<float> lanes = stackalloc float[width];
        var shiftV = new Vector<float>(shift);
        var scaleV = new Vector<float>(scale);
        for (var start = 0; start < ids.Length; start += width)
        {
            var count = Math.Min(width, ids.Length - start);
            lanes.Clear();
            for (var lane = 0; lane < count; lane++)
            {
                lanes[lane] = logits[ids[start + lane]];
            }

            var exp = Vector.Exp((Vector.Create<float>(lanes) - shiftV) * scaleV);
            for (var lane = 0; lane < count; lane++)
            {
                var id = ids[start + lane];
                weights[start + lane] = id < vectorEnd ? exp[lane] : MathF.Exp((logits[id] - shift) * scale);
            }
        }
    }

    /// <summary>Zeroes every weight below <paramref name="threshold"/> and returns the sum of those left.</summary>
    public static double ZeroBelow(Span<float> weights, float threshold)
    {
        var width = Vector<float>.Count;
        var thresholdV = new Vector<float>(threshold);
        var sumV = Vector<float>.Zero;
        ref var start = ref MemoryMarshal.GetReference(weights);
        var i = 0;
        for (; i <= weights.Length - width; i += width)
        {
            var w = Vector.LoadUnsafe(ref start, (nuint)i);
            w = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(w, thresholdV), w, Vector<float>.Zero);
            w.StoreUnsafe(ref start, (nuint)i);
            sumV += w;
        }

        double sum = Vector.Sum(sumV);
        for (; i < weights.Length; i++)
        {
            if (weights[i] < threshold)
            {
                weights[i] = 0f;
            }

            sum += weights[i];
        }

        return sum;
    }

    /// <summary>
    /// The index where the running sum of <paramref name="weights"/> first exceeds <paramref name="target"/>
    /// (target = uniform × total draws index i with probability weights[i] / total).
    /// </summary>
    public static int DrawIndex(ReadOnlySpan<float> weights, double target)
    {
        double cumulative = 0;
        var blockStart = 0;
        for (; blockStart + DrawBlock <= weights.Length; blockStart += DrawBlock)
        {
            var blockSum = Sum(weights.Slice(blockStart, DrawBlock));
            if (cumulative + blockSum > target)
            {
                break;
            }

            cumulative += blockSum;
        }

        for (var i = blockStart; i < weights.Length; i++)
        {
            cumulative += weights[i];
            if (cumulative > target && weights[i] > 0f)
            {
                return i;
            }
        }

        // Rounding left the target just above the total: take the last token that has any weight.
        for (var i = weights.Length - 1; i >= 0; i--)
        {
            if (weights[i] > 0f)
            {
                return i;
            }
        }

        return -1;
    }

    public static double Sum(ReadOnlySpan<float> values)
    {
        var width = Vector<float>.Count;
        var sumV = Vector<float>.Zero;
        ref var start = ref MemoryMarshal.GetReference(values);
        var i = 0;
        for (; i <= values.Length - width; i += width)
        {
            sumV += Vector.LoadUnsafe(ref start, (nuint)i);
        }

        double sum = Vector.Sum(sumV);
        for (; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }
}
