namespace AkashML.Inference.Building.Llama;

/// <summary>
/// Asymmetric 4-bit block quantization in the layout of ONNX Runtime's <c>MatMulNBits</c> (bits = 4):
/// for a weight [N, K] (row n is output n), each row is cut into blocks of <see cref="BlockSize"/> along K;
/// a block stores one float scale and one 4-bit zero point, and value = (q - zero_point) * scale.
/// </summary>
public static class Int4BlockQuantizer
{
    public const int BlockSize = 32;

    /// <summary>Quantized weight: B [N, blocks, 16] (two codes per byte, even k in the low nibble),
    /// scales [N * blocks], zero points [N * ceil(blocks / 2)] (two per byte, even block in the low nibble).</summary>
    public sealed record Result(byte[] Packed, float[] Scales, byte[] ZeroPoints, int N, int K, int BlockCount);

    public static int BlockCountFor(int k) => (k + BlockSize - 1) / BlockSize;

    /// <summary>Quantizes a row-major [n, k] weight.</summary>
    public static Result Quantize(ReadOnlySpan<float> weight, int n, int k)
    {
        if (weight.Length != (long)n * k)
        {
            throw new ArgumentException($"Weight has {weight.Length} values, expected {n} x {k}.", nameof(weight));
        }

        var blocks = BlockCountFor(k);
        const int BlobSize = BlockSize / 2;
        var zeroBytesPerRow = (blocks + 1) / 2;
        var packed = new byte[(long)n * blocks * BlobSize];
        var scales = new float[(long)n * blocks];
        var zeroPoints = new byte[(long)n * zeroBytesPerRow];
        Span<byte> codes = stackalloc byte[BlockSize];
        for (var row = 0; row < n; row++)
        {
            var rowValues = weight.Slice(row * k, k);
            for (var block = 0; block < blocks; block++)
            {
                var start = block * BlockSize;
                var count = Math.Min(BlockSize, k - start);
                var values = rowValues.Slice(start, count);
                var (scale, zeroPoint) = ChooseParameters(values);
                for (var i = 0; i < BlockSize; i++)
                {
                    codes[i] = i < count ? Encode(values[i], scale, zeroPoint) : (byte)zeroPoint;
                }

                var blob = ((long)row * blocks + block) * BlobSize;
                for (var j = 0; j < BlobSize; j++)
                {
                    packed[blob + j] = (byte)(codes[2 * j] | (codes[(2 * j) + 1] << 4));
                }

                scales[((long)row * blocks) + block] = scale;
                var zeroIndex = ((long)row * zeroBytesPerRow) + (block / 2);
                zeroPoints[zeroIndex] |= (byte)((block % 2 == 0) ? zeroPoint : zeroPoint << 4);
            }
        }

        return new Result(packed, scales, zeroPoints, n, k, blocks);
    }

    /// <summary>Reconstructs the row-major [n, k] weight that the quantized form stands for.</summary>
    public static float[] Dequantize(Result quantized)
    {
        ArgumentNullException.ThrowIfNull(quantized);
        var (n, k, blocks) = (quantized.N, quantized.K, quantized.BlockCount);
        const int BlobSize = BlockSize / 2;
        var zeroBytesPerRow = (blocks + 1) / 2;
        var weight = new float[(long)n * k];
        for (var row = 0; row < n; row++)
        {
            for (var col = 0; col < k; col++)
            {
                var block = col / BlockSize;
                var within = col % BlockSize;
                var packedByte = quantized.Packed[(((long)row * blocks + block) * BlobSize) + (within / 2)];
                var code = (within % 2 == 0) ? packedByte & 0xF : packedByte >> 4;
                var zeroByte = quantized.ZeroPoints[((long)row * zeroBytesPerRow) + (block / 2)];
                var zeroPoint = (block % 2 == 0) ? zeroByte & 0xF : zeroByte >> 4;
                weight[((long)row * k) + col] = (code - zeroPoint) * quantized.Scales[((long)row * blocks) + block];
            }
        }

        return weight;
    }

    private static (float Scale, int ZeroPoint) ChooseParameters(ReadOnlySpan<float> values)
    {
        // The range always includes 0 so that zero (and K padding) is exactly representable.
        var min = 0f;
        var max = 0f;
        foreach (var value in values)
        {
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        if (max - min <= float.Epsilon)
        {
            return (1f, 8);
        }

        var scale = (max - min) / 15f;
        var zeroPoint = (int)Math.Clamp(MathF.Round(-min / scale), 0, 15);
        return (scale, zeroPoint);
    }

    private static byte Encode(float value, float scale, int zeroPoint) =>
        (byte)Math.Clamp((int)MathF.Round(value / scale) + zeroPoint, 0, 15);
}
