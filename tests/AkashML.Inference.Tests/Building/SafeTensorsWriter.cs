using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace AkashML.Inference.Tests.Building;

/// <summary>Writes safetensors files for tests: 8-byte header length, JSON header, then the tensor bytes.</summary>
internal static class SafeTensorsWriter
{
    public static void Write(string path, IReadOnlyList<(string Name, string DType, long[] Shape, float[] Values)> tensors, int headerPadding = 0)
    {
        var data = new MemoryStream();
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        Span<byte> bytes = stackalloc byte[4];
        foreach (var (name, dtype, shape, values) in tensors)
        {
            var begin = data.Length;
            foreach (var value in values)
            {
                switch (dtype)
                {
                    case "F32":
                        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
                        data.Write(bytes[..4]);
                        break;
                    case "F16":
                        BinaryPrimitives.WriteHalfLittleEndian(bytes, (Half)value);
                        data.Write(bytes[..2]);
                        break;
                    case "BF16":
                        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(BitConverter.SingleToUInt32Bits(value) >> 16));
                        data.Write(bytes[..2]);
                        break;
                    default:
                        throw new ArgumentException(dtype);
                }
            }

            header[name] = new { dtype, shape, data_offsets = new[] { begin, data.Length } };
        }

        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header) + new string(' ', headerPadding));
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, json.Length);
        file.Write(length);
        file.Write(json);
        data.Position = 0;
        data.CopyTo(file);
    }
}
