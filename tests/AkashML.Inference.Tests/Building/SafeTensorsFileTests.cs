using System.Buffers.Binary;
using AkashML.Inference.Building;
using AkashML.Inference.Building.Sources;

namespace AkashML.Inference.Tests.Building;

public sealed class SafeTensorsFileTests
{
    [Theory]
    [InlineData("F32", 0f)]
    [InlineData("F16", 1e-3f)]
    [InlineData("BF16", 1e-2f)]
    public void Reads_tensors_as_fp32(string dtype, float tolerance)
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("a.safetensors");
        float[] first = [1f, -2.5f, 0.333f, 1000f, -0.001f, 0f];
        float[] second = [3.25f, -7f];
        SafeTensorsWriter.Write(path, [("a", dtype, [2, 3], first), ("b", dtype, [2], second)], headerPadding: 5);

        var file = SafeTensorsFile.Open(path);
        Assert.Equal([2L, 3L], file.Entries["a"].Shape);
        var a = file.ReadFloats("a");
        for (var i = 0; i < first.Length; i++)
        {
            Assert.InRange(a[i], first[i] - (Math.Abs(first[i]) * tolerance) - 1e-6f, first[i] + (Math.Abs(first[i]) * tolerance) + 1e-6f);
        }

        Assert.Equal(second, file.ReadFloats("b"));
    }

    [Fact]
    public void Bf16_is_the_upper_half_of_fp32()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("b.safetensors");
        SafeTensorsWriter.Write(path, [("x", "BF16", [3], [1f, -2f, 0.5f])]);
        Assert.Equal([1f, -2f, 0.5f], SafeTensorsFile.Open(path).ReadFloats("x"));
    }

    [Fact]
    public void Truncated_data_is_rejected()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("t.safetensors");
        SafeTensorsWriter.Write(path, [("x", "F32", [100], new float[100])]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var error = Assert.Throws<ModelBuildException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_headers_are_rejected()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("h.safetensors");
        var header = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(header, 1L << 40);
        File.WriteAllBytes(path, header);
        Assert.Throws<ModelBuildException>(() => SafeTensorsFile.Open(path));

        var json = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}"u8.ToArray();
        BinaryPrimitives.WriteInt64LittleEndian(header, json.Length);
        File.WriteAllBytes(path, [.. header, .. json, .. new byte[8]]);
        Assert.Contains("offsets", Assert.Throws<ModelBuildException>(() => SafeTensorsFile.Open(path)).Message, StringComparison.Ordinal);

        json = "{\"x\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}"u8.ToArray();
        BinaryPrimitives.WriteInt64LittleEndian(header, json.Length);
        File.WriteAllBytes(path, [.. header, .. json, .. new byte[2]]);
        Assert.Contains("dtype", Assert.Throws<ModelBuildException>(() => SafeTensorsFile.Open(path)).Message, StringComparison.Ordinal);

        json = "{not json"u8.ToArray();
        BinaryPrimitives.WriteInt64LittleEndian(header, json.Length);
        File.WriteAllBytes(path, [.. header, .. json]);
        Assert.Throws<ModelBuildException>(() => SafeTensorsFile.Open(path));
    }
}
