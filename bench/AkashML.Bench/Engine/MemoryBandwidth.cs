using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace AkashML.Bench.Engine;

/// <summary>
/// This machine's memory bandwidth, measured the plain way: copying one buffer into another (bytes copied per second,
/// as memcpy benchmarks report it) and summing one buffer (bytes read per second, the access pattern of decode's weight
/// reads). Buffers are far larger than the last-level cache, so the figures are DRAM's. Bounded: a few passes each.
/// </summary>
public static class MemoryBandwidth
{
    /// <summary>Each buffer's size: 256 MiB, many times any last-level cache of a machine this runs on.</summary>
    public const int BufferBytes = 256 << 20;

    private const int Passes = 7;

    /// <summary>Median copy and read bandwidth in bytes per second over <see cref="Passes"/> passes each.</summary>
    public static MemoryBandwidthResult Measure()
    {
        var source = GC.AllocateUninitializedArray<byte>(BufferBytes, pinned: true);
        var destination = GC.AllocateUninitializedArray<byte>(BufferBytes, pinned: true);

        // First touches fault the pages in; they are not part of the measurement.
        source.AsSpan().Fill(1);
        destination.AsSpan().Clear();

        var copies = new double[Passes];
        var reads = new double[Passes];
        var checksum = 0f;
        for (var pass = 0; pass < Passes; pass++)
        {
            var started = Stopwatch.GetTimestamp();
            source.AsSpan().CopyTo(destination);
            copies[pass] = BufferBytes / Stopwatch.GetElapsedTime(started).TotalSeconds;

            started = Stopwatch.GetTimestamp();
            checksum += Sum(MemoryMarshal.Cast<byte, float>(destination.AsSpan()));
            reads[pass] = BufferBytes / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }

        // The checksum keeps the summing loop from being optimised away.
        GC.KeepAlive(checksum);
        return new MemoryBandwidthResult(Spread.Of(copies).Median, Spread.Of(reads).Median, BufferBytes, LastLevelCacheBytes());
    }

    private static float Sum(ReadOnlySpan<float> values)
    {
        // Four accumulators so the loop is bound by loads, not by the latency of one chain of additions.
        var width = Vector<float>.Count;
        Vector<float> a = default, b = default, c = default, d = default;
        ref var start = ref MemoryMarshal.GetReference(values);
        var i = 0;
        for (; i <= values.Length - (4 * width); i += 4 * width)
        {
            a += Vector.LoadUnsafe(ref start, (nuint)i);
            b += Vector.LoadUnsafe(ref start, (nuint)(i + width));
            c += Vector.LoadUnsafe(ref start, (nuint)(i + (2 * width)));
            d += Vector.LoadUnsafe(ref start, (nuint)(i + (3 * width)));
        }

        var sum = Vector.Sum(a + b + c + d);
        for (; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }

    /// <summary>The largest cache of CPU 0 (Linux sysfs), or null where that is not readable.</summary>
    private static long? LastLevelCacheBytes()
    {
        const string Caches = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(Caches))
        {
            return null;
        }

        long? largest = null;
        foreach (var index in Directory.EnumerateDirectories(Caches, "index*"))
        {
            var sizeFile = Path.Combine(index, "size");
            if (!File.Exists(sizeFile))
            {
                continue;
            }

            var text = File.ReadAllText(sizeFile).Trim();
            var multiplier = text.EndsWith('K') ? 1024L : text.EndsWith('M') ? 1024L * 1024 : 1L;
            if (long.TryParse(text.TrimEnd('K', 'M'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
            {
                largest = Math.Max(largest ?? 0, size * multiplier);
            }
        }

        return largest;
    }
}
