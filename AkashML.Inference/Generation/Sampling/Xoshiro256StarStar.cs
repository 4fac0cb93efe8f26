namespace AkashML.Inference.Generation.Sampling;

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64. Written here rather than using
/// <see cref="Random"/> because <c>new Random(int)</c> takes only 32 bits and keeps a legacy algorithm; this gives
/// every 64-bit seed, independent streams per seed, and a sequence fixed by this code alone.
/// </summary>
internal sealed class Xoshiro256StarStar
{
    private const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>Starts stream <paramref name="stream"/> of <paramref name="seed"/>; distinct streams never share a state.</summary>
    public Xoshiro256StarStar(long seed, int stream)
    {
        // Mixing the stream index through a bijection and XOR-ing it in keeps (seed, stream) pairs apart.
        var state = (ulong)seed ^ Mix((ulong)(uint)stream + GoldenGamma);
        _s0 = SplitMix(ref state);
        _s1 = SplitMix(ref state);
        _s2 = SplitMix(ref state);
        _s3 = SplitMix(ref state);
        if ((_s0 | _s1 | _s2 | _s3) == 0)
        {
            // The all-zero state is the generator's only fixed point.
            _s0 = GoldenGamma;
        }
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private static ulong SplitMix(ref ulong state)
    {
        state += GoldenGamma;
        return Mix(state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
