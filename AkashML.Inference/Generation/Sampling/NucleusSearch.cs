using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// The top-p (nucleus) boundary for nuclei too wide for partial selection, without sorting: a radix select over the
/// weights' bit patterns (non-negative floats order like their bits). Three passes narrow the threshold by 12, 12 and
/// 7 bits, each histogramming the mass of the weights that share the prefix found so far; the cost does not depend
/// on the nucleus size.
/// </summary>
internal static class NucleusSearch
{
    private const int FirstShift = 19;
    private const int SecondShift = 7;
    private const int Buckets = 1 << 12;
    private const int LastBuckets = 1 << SecondShift;

    // The first pass spreads consecutive weights over separate histograms so that runs landing in one bucket do not
    // wait on each other's additions.
    private const int Lanes = 4;

    /// <summary>
    /// The largest weight τ such that the weights ≥ τ add up to at least <paramref name="targetMass"/>; every
    /// weight equal to τ is in the nucleus. Weights must be finite and non-negative.
    /// </summary>
    public static float WeightThreshold(ReadOnlySpan<float> weights, double targetMass)
    {
        var rented = ArrayPool<double>.Shared.Rent(Buckets * Lanes);
        try
        {
            var histogram = rented.AsSpan(0, Buckets * Lanes);
            histogram.Clear();
            var bits = MemoryMarshal.Cast<float, int>(weights);
            var i = 0;
            for (; i <= bits.Length - Lanes; i += Lanes)
            {
                for (var lane = 0; lane < Lanes; lane++)
                {
                    histogram[(lane * Buckets) + (bits[i + lane] >> FirstShift)] += weights[i + lane];
                }
            }

            for (; i < bits.Length; i++)
            {
                histogram[bits[i] >> FirstShift] += weights[i];
            }

            for (var lane = 1; lane < Lanes; lane++)
            {
                for (var bucket = 0; bucket < Buckets; bucket++)
                {
                    histogram[bucket] += histogram[(lane * Buckets) + bucket];
                }
            }

            var massAbove = 0.0;
            var first = Crossing(histogram[..Buckets], targetMass, ref massAbove);
            if (first < 0)
            {
                // Rounding kept the whole mass below the target: the nucleus is everything.
                return 0f;
            }

            var second = Crossing(Refine(bits, weights, first, FirstShift, SecondShift, Buckets, histogram), targetMass, ref massAbove);
            var prefix = (first << (FirstShift - SecondShift)) | Math.Max(second, 0);
            var last = Crossing(Refine(bits, weights, prefix, SecondShift, 0, LastBuckets, histogram), targetMass, ref massAbove);
            return BitConverter.Int32BitsToSingle((prefix << SecondShift) | Math.Max(last, 0));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>The highest bucket at which the mass from the top reaches the target, or −1; adds the buckets above it.</summary>
    private static int Crossing(ReadOnlySpan<double> histogram, double targetMass, ref double massAbove)
    {
        for (var bucket = histogram.Length - 1; bucket >= 0; bucket--)
        {
            if (massAbove + histogram[bucket] >= targetMass)
            {
                return bucket;
            }

            massAbove += histogram[bucket];
        }

        return -1;
    }

    /// <summary>Histograms, by the bits below <paramref name="prefixShift"/>, the mass of the weights whose higher bits equal the prefix.</summary>
    private static Span<double> Refine(
        ReadOnlySpan<int> bits,
        ReadOnlySpan<float> weights,
        int prefix,
        int prefixShift,
        int bucketShift,
        int buckets,
        Span<double> histogram)
    {
        histogram = histogram[..buckets];
        histogram.Clear();
        var width = Vector<int>.Count;
        var prefixV = new Vector<int>(prefix);
        ref var start = ref MemoryMarshal.GetReference(bits);
        var mask = buckets - 1;
        var i = 0;
        for (; i <= bits.Length - width; i += width)
        {
            // Most vectors hold no weight with this prefix.
            if (!Vector.EqualsAny(Vector.ShiftRightLogical(Vector.LoadUnsafe(ref start, (nuint)i), prefixShift), prefixV))
            {
                continue;
            }

            for (var lane = i; lane < i + width; lane++)
            {
                if (bits[lane] >> prefixShift == prefix)
                {
                    histogram[(bits[lane] >> bucketShift) & mask] += weights[lane];
                }
            }
        }

        for (; i < bits.Length; i++)
        {
            if (bits[i] >> prefixShift == prefix)
            {
                histogram[(bits[i] >> bucketShift) & mask] += weights[i];
            }
        }

        return histogram;
    }
}
