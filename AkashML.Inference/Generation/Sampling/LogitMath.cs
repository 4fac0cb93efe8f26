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

    /// <summary>exp(−104) is below the smallest float, so lower scaled logits have zero weight.</summary>
    private const float UnderflowSpan = 104f;

    /// <summary>Nucleus search: bisections before the first count, how often to count, and the band size that is sorted.</summary>
    private const int MinBisections = 14;
    private const int BandCheckInterval = 2;
    private const int MaxBand = 512;

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
    /// The largest logit threshold t such that the weights of tokens with logit ≥ t still add up to
    /// <paramref name="targetMass"/>: the top-p nucleus boundary without sorting the vocabulary. Bisects the logit
    /// range with vectorised mass passes until few tokens remain between the bounds, then sorts just those. Tokens
    /// tied at the boundary all stay in. <paramref name="weights"/> are exp((logit − max) / temperature).
    /// </summary>
    public static float NucleusThreshold(ReadOnlySpan<float> logits, ReadOnlySpan<float> weights, float max, float temperature, double targetMass)
    {
        // Below this many temperatures under the maximum, exp underflows to zero: such tokens carry no mass.
        var low = max - (UnderflowSpan * temperature);
        if (MassAtOrAbove(logits, weights, low) < targetMass)
        {
            // Only rounding can get here; the nucleus is then everything.
            return -float.MaxValue;
        }

        // Invariant: the mass at or above `low` reaches the target, the mass at or above `high` (= massHigh) does not.
        var high = float.BitIncrement(max);
        var massHigh = 0.0;
        for (var iteration = 1; ; iteration++)
        {
            if (iteration > MinBisections && iteration % BandCheckInterval == 0 && CountInBand(logits, low, high) <= MaxBand)
            {
                return ResolveBand(logits, weights, low, high, targetMass - massHigh);
            }

            var middle = low + ((high - low) / 2f);
            if (middle <= low || middle >= high)
            {
                // Adjacent floats: the boundary is exactly `low`.
                return low;
            }

            var mass = MassAtOrAbove(logits, weights, middle);
            if (mass >= targetMass)
            {
                low = middle;
            }
            else
            {
                (high, massHigh) = (middle, mass);
            }
        }
    }

    /// <summary>
    /// Zeroes the weight of every token whose logit is below <paramref name="logitThreshold"/> or whose weight is
    /// below <paramref name="weightThreshold"/>, and returns the sum of the weights left.
    /// </summary>
    public static double KeepAtOrAbove(Span<float> weights, ReadOnlySpan<float> logits, float logitThreshold, float weightThreshold)
    {
        var width = Vector<float>.Count;
        var logitThresholdV = new Vector<float>(logitThreshold);
        var weightThresholdV = new Vector<float>(weightThreshold);
        var sumV = Vector<float>.Zero;
        ref var weightStart = ref MemoryMarshal.GetReference(weights);
        ref var logitStart = ref MemoryMarshal.GetReference(logits);
        var i = 0;
        for (; i <= weights.Length - width; i += width)
        {
            var w = Vector.LoadUnsafe(ref weightStart, (nuint)i);
            var keep = Vector.GreaterThanOrEqual(Vector.LoadUnsafe(ref logitStart, (nuint)i), logitThresholdV)
                & Vector.GreaterThanOrEqual(w, weightThresholdV);
            w = Vector.ConditionalSelect(keep, w, Vector<float>.Zero);
            w.StoreUnsafe(ref weightStart, (nuint)i);
            sumV += w;
        }

        double sum = Vector.Sum(sumV);
        for (; i < weights.Length; i++)
        {
            if (logits[i] < logitThreshold || weights[i] < weightThreshold)
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

    /// <summary>Sorts the few tokens with logits in [low, high) and walks them down until the missing mass is covered.</summary>
    private static float ResolveBand(ReadOnlySpan<float> logits, ReadOnlySpan<float> weights, float low, float high, double missingMass)
    {
        Span<int> ids = stackalloc int[MaxBand];
        Span<float> keys = stackalloc float[MaxBand];
        var count = 0;
        for (var i = 0; i < logits.Length && count < MaxBand; i++)
        {
            if (logits[i] >= low && logits[i] < high)
            {
                ids[count] = i;
                keys[count++] = -logits[i];
            }
        }

        ids = ids[..count];
        keys = keys[..count];
        keys.Sort(ids);
        double cumulative = 0;
        for (var j = 0; j < count; j++)
        {
            cumulative += weights[ids[j]];
            if (cumulative >= missingMass)
            {
                return -keys[j];
            }
        }

        return low;
    }

    private static int CountInBand(ReadOnlySpan<float> logits, float low, float high)
    {
        var width = Vector<float>.Count;
        var lowV = new Vector<float>(low);
        var highV = new Vector<float>(high);
        var countV = Vector<int>.Zero;
        ref var start = ref MemoryMarshal.GetReference(logits);
        var i = 0;
        for (; i <= logits.Length - width; i += width)
        {
            var x = Vector.LoadUnsafe(ref start, (nuint)i);
            // Comparison lanes are all ones (−1) where true.
            countV -= Vector.GreaterThanOrEqual(x, lowV) & Vector.LessThan(x, highV);
        }

        var count = Vector.Sum(countV);
        for (; i < logits.Length; i++)
        {
            if (logits[i] >= low && logits[i] < high)
            {
                count++;
            }
        }

        return count;
    }

    private static double MassAtOrAbove(ReadOnlySpan<float> logits, ReadOnlySpan<float> weights, float threshold)
    {
        var width = Vector<float>.Count;
        var thresholdV = new Vector<float>(threshold);
        var sumV = Vector<float>.Zero;
        ref var weightStart = ref MemoryMarshal.GetReference(weights);
        ref var logitStart = ref MemoryMarshal.GetReference(logits);
        var i = 0;
        for (; i <= logits.Length - width; i += width)
        {
            var keep = Vector.GreaterThanOrEqual(Vector.LoadUnsafe(ref logitStart, (nuint)i), thresholdV);
            sumV += Vector.ConditionalSelect(keep, Vector.LoadUnsafe(ref weightStart, (nuint)i), Vector<float>.Zero);
        }

        double sum = Vector.Sum(sumV);
        for (; i < logits.Length; i++)
        {
            if (logits[i] >= threshold)
            {
                sum += weights[i];
            }
        }

        return sum;
    }

    private static double Sum(ReadOnlySpan<float> values)
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
