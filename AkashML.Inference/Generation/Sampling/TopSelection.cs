using System.Numerics;
using System.Runtime.InteropServices;

namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// Partial selection of the m largest values without sorting the vocabulary: a bounded min-heap, with whole
/// vectors skipped once none of their lanes beats the heap's smallest entry (most of a vocabulary, in practice).
/// </summary>
internal static class TopSelection
{
    /// <summary>
    /// Fills <paramref name="ids"/> and <paramref name="keys"/> (same length m) with the m largest finite values,
    /// sorted descending, ties by lower index; −∞ is never selected. Returns how many were found (≤ m).
    /// </summary>
    public static int SelectLargest(ReadOnlySpan<float> values, Span<int> ids, Span<float> keys)
    {
        var capacity = ids.Length;
        if (capacity == 0)
        {
            return 0;
        }

        keys = keys[..capacity];
        var count = 0;
        var i = 0;
        for (; i < values.Length && count < capacity; i++)
        {
            Offer(values[i], i, ids, keys, ref count);
        }

        if (count == capacity)
        {
            var width = Vector<float>.Count;
            ref var start = ref MemoryMarshal.GetReference(values);
            var worst = new Vector<float>(keys[0]);
            for (; i <= values.Length - width; i += width)
            {
                // Strictly greater: an equal later value has a higher index and loses the tie.
                if (!Vector.GreaterThanAny(Vector.LoadUnsafe(ref start, (nuint)i), worst))
                {
                    continue;
                }

                for (var lane = i; lane < i + width; lane++)
                {
                    Offer(values[lane], lane, ids, keys, ref count);
                }

                worst = new Vector<float>(keys[0]);
            }

            for (; i < values.Length; i++)
            {
                Offer(values[i], i, ids, keys, ref count);
            }
        }

        // Heap sort: move the worst entry to the back repeatedly, which leaves the best first.
        for (var end = count - 1; end > 0; end--)
        {
            (ids[0], ids[end]) = (ids[end], ids[0]);
            (keys[0], keys[end]) = (keys[end], keys[0]);
            SiftDown(ids, keys, 0, end);
        }

        return count;
    }

    private static void Offer(float value, int id, Span<int> ids, Span<float> keys, ref int count)
    {
        // Also false for NaN.
        if (!(value > float.NegativeInfinity))
        {
            return;
        }

        if (count < ids.Length)
        {
            var child = count++;
            ids[child] = id;
            keys[child] = value;
            while (child > 0)
            {
                var parent = (child - 1) >> 1;
                if (!IsWorse(keys[child], ids[child], keys[parent], ids[parent]))
                {
                    break;
                }

                (ids[child], ids[parent]) = (ids[parent], ids[child]);
                (keys[child], keys[parent]) = (keys[parent], keys[child]);
                child = parent;
            }

            return;
        }

        if (value > keys[0])
        {
            ids[0] = id;
            keys[0] = value;
            SiftDown(ids, keys, 0, count);
        }
    }

    // The root of the heap is its worst entry: lowest value, and among equals the highest index.
    private static void SiftDown(Span<int> ids, Span<float> keys, int node, int count)
    {
        while (true)
        {
            var left = (2 * node) + 1;
            if (left >= count)
            {
                return;
            }

            var worst = left;
            var right = left + 1;
            if (right < count && IsWorse(keys[right], ids[right], keys[left], ids[left]))
            {
                worst = right;
            }

            if (!IsWorse(keys[worst], ids[worst], keys[node], ids[node]))
            {
                return;
            }

            (ids[worst], ids[node]) = (ids[node], ids[worst]);
            (keys[worst], keys[node]) = (keys[node], keys[worst]);
            node = worst;
        }
    }

    private static bool IsWorse(float key, int id, float otherKey, int otherId) =>
        key < otherKey || (key == otherKey && id > otherId);
}
