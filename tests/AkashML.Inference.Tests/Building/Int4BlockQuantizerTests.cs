using AkashML.Inference.Building.Llama;

namespace AkashML.Inference.Tests.Building;

public sealed class Int4BlockQuantizerTests
{
    [Theory]
    [InlineData(8, 64)]
    [InlineData(5, 172)]
    [InlineData(3, 31)]
    public void Dequantized_values_are_within_half_a_step_of_the_original(int n, int k)
    {
        var random = new Random(n * 1000 + k);
        var weight = Enumerable.Range(0, n * k).Select(_ => (float)((random.NextDouble() * 2) - 0.7) * 3).ToArray();
        var quantized = Int4BlockQuantizer.Quantize(weight, n, k);
        Assert.Equal(n * Int4BlockQuantizer.BlockCountFor(k) * 16, quantized.Packed.Length);
        Assert.Equal(n * ((Int4BlockQuantizer.BlockCountFor(k) + 1) / 2), quantized.ZeroPoints.Length);
        var restored = Int4BlockQuantizer.Dequantize(quantized);
        for (var row = 0; row < n; row++)
        {
            for (var col = 0; col < k; col++)
            {
                var scale = quantized.Scales[(row * quantized.BlockCount) + (col / 32)];
                var error = Math.Abs(restored[(row * k) + col] - weight[(row * k) + col]);
                Assert.True(error <= (scale / 2) + 1e-5f, $"error {error} exceeds half a step {scale / 2} at ({row},{col})");
            }
        }
    }

    [Fact]
    public void Codes_pack_low_nibble_first_and_zero_is_exact()
    {
        var weight = new float[32];
        for (var i = 0; i < 32; i++)
        {
            weight[i] = Math.Min(i - 16, 14);
        }

        var quantized = Int4BlockQuantizer.Quantize(weight, 1, 32);
        Assert.Equal(2f, quantized.Scales[0], 5);
        var zeroPoint = quantized.ZeroPoints[0] & 0xF;
        Assert.Equal(8, zeroPoint);
        Assert.Equal(0, quantized.ZeroPoints[0] >> 4);

        // Range [-16, 14] gives scale 2 and zero point 8; k = 0 and 1 share the first byte, k = 0 in the low nibble.
        Assert.Equal(Code(-16), quantized.Packed[0] & 0xF);
        Assert.Equal(Code(-15), quantized.Packed[0] >> 4);
        Assert.Equal(Code(-14), quantized.Packed[1] & 0xF);
        Assert.Equal(Code(13), quantized.Packed[14] >> 4);
        Assert.Equal(0f, Int4BlockQuantizer.Dequantize(quantized)[16]);

        int Code(float value) => Math.Clamp((int)MathF.Round(value / 2f) + 8, 0, 15);
    }

    [Fact]
    public void Padding_beyond_k_decodes_to_zero_and_constant_blocks_survive()
    {
        var weight = Enumerable.Repeat(0f, 40).ToArray();
        weight[39] = 0.5f;
        var quantized = Int4BlockQuantizer.Quantize(weight, 1, 40);
        Assert.Equal(2, quantized.BlockCount);
        var restored = Int4BlockQuantizer.Dequantize(quantized);
        Assert.All(restored.Take(32), v => Assert.Equal(0f, v));
        Assert.Equal(0.5f, restored[39], 5);
    }
}
