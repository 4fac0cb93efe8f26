using System.Numerics;
using System.Runtime.InteropServices;

namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// Top-p (nucleus) boundary for wide nuclei without sorting the vocabulary: drop the tokens that provably cannot be
/// in the nucleus, bisect a weight threshold over the rest with vectorised passes, and sort only the few weights
/// left between the bounds.
/// </summary>
internal static class NucleusSearch
{
    /// <summary>Bounds are narrowed until at most this many weights lie between them; those are sorted.</summary>
    private const int MaxBand = 512;

    /// <summary>Bisections before the band is first counted again (counting costs as much as a bisection).</summary>
    private const int BisectionsBeforeCounting = 10;

    private const int PositiveInfinityBits = 0x7F800000;

    /// <summary>
    /// Copies (id, weight) of every token that can be in a nucleus of mass p × total: weight ≥ (1 − p) × total / V,
    /// since all lighter tokens together weigh less than (1 − p) × total. Returns the number copied.
    /// </summary>
    public static int GatherCandidates(ReadOnlySpan<float> weights, double topP, double total, Span<int> ids, Span<float> candidateWeights)
    {
        var floor = MathF.Max((float)((1.0 - topP) * total / weights.Length), float.Epsilon);
        var width = Vector<float>.Count;
        var floorV = new Vector<float>(floor);
        ref var start = ref MemoryMarshal.GetReference(weights);
        var count = 0;
        var i = 0;
        for (; i <= weights.Length - width; i += width)
        {
            if (!Vector.GreaterThanOrEqualAny(Vector.LoadUnsafe(ref start, (nuint)i), floorV))
            {
                continue;
            }

            for (var lane = i; lane < i + width; lane++)
            {
                if (weights[lane] >= floor)
                {
                    ids[count] = lane;
                    candidateWeights[count++] = weights[lane];
                }
            }
        }

        for (; i < weights.Length; i++)
        {
            if (weights[i] >= floor)
            {
                ids[count] = i;
                candidateWeights[count++] = weights[i];
            }
        }

        return count;
    }

    /// <summary>
    /// The largest weight τ such that the weights ≥ τ add up to <paramref name="targetMass"/> (ties at τ all count).
    /// Bisects over the bit patterns of non-negative floats, which are ordered like the values (so the search is
    /// logarithmic in the weights' dynamic range too).
    /// </summary>
    public static float WeightThreshold(ReadOnlySpan<float> weights, double targetMass)
    {
        // Invariant: the mass at or above `low` reaches the target; the mass at or above `high` (massHigh) does not.
        var low = 0;
        var high = PositiveInfinityBits;
        var massHigh = 0.0;
        for (var iteration = 0; high - low > 1; iteration++)
        {
            var counting = iteration == 0 || (iteration >= BisectionsBeforeCounting && iteration % 2 == 0);
            if (counting && CountInBand(weights, Value(low), Value(high)) <= MaxBand)
            {
                return ResolveBand(weights, Value(low), Value(high), targetMass - massHigh);
            }

            var middle = low + ((high - low) / 2);
            var mass = MassAtOrAbove(weights, Value(middle));
            if (mass >= targetMass)
            {
                low = middle;
            }
            else
            {
                (high, massHigh) = (middle, mass);
            }
        }

        return Value(low);
    }

    private static float Value(int bits) => BitConverter.Int32BitsToSingle(bits);

    /// <summary>Sorts the few weights in [low, high) and takes them, heaviest first, until the missing mass is covered.</summary>
    private static float ResolveBand(ReadOnlySpan<float> weights, float low, float high, double missingMass)
    {
        Span<float> band = stackalloc float[MaxBand];
        var count = 0;
        foreach (var weight in weights)
        {
            if (weight >= low && weight < high)
            {
                band[count++] = weight;
            }
        }

        band = band[..count];
        band.Sort();
        double cumulative = 0;
        for (var j = count - 1; j >= 0; j--)
        {
            cumulative += band[j];
            if (cumulative >= missingMass)
            {
                return band[j];
            }
        }

        return low;
    }

    private static int CountInBand(ReadOnlySpan<float> weights, float low, float high)
    {
        var width = Vector<float>.Count;
        var lowV = new Vector<float>(low);
        var highV = new Vector<float>(high);
        var countV = Vector<int>.Zero;
        ref var start = ref MemoryMarshal.GetReference(weights);
        var i = 0;
        for (; i <= weights.Length - width; i += width)
        {
            var w = Vector.LoadUnsafe(ref start, (nuint)i);
            // Comparison lanes are all ones (−1) where true.
            countV -= Vector.GreaterThanOrEqual(w, lowV) & Vector.LessThan(w, highV);
        }

        var count = Vector.Sum(countV);
        for (; i < weights.Length; i++)
        {
            if (weights[i] >= low && weights[i] < high)
            {
                count++;
            }
        }

        return count;
    }

    private static double MassAtOrAbove(ReadOnlySpan<float> weights, float threshold)
    {
        var width = Vector<float>.Count;
        var thresholdV = new Vector<float>(threshold);
        var sumV = Vector<float>.Zero;
        ref var start = ref MemoryMarshal.GetReference(weights);
        var i = 0;
        for (; i <= weights.Length - width; i += width)
        {
            var w = Vector.LoadUnsafe(ref start, (nuint)i);
            sumV += Vector.ConditionalSelect(Vector.GreaterThanOrEqual(w, thresholdV), w, Vector<float>.Zero);
        }

        double sum = Vector.Sum(sumV);
        for (; i < weights.Length; i++)
        {
            if (weights[i] >= threshold)
            {
                sum += weights[i];
            }
        }

        return sum;
    }
}
