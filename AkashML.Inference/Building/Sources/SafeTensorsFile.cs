using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace AkashML.Inference.Building.Sources;

/// <summary>Element types a safetensors file may hold that the builder reads.</summary>
public enum SafeTensorsDType
{
    F32,
    F16,
    BF16,
}

/// <summary>One tensor's entry in a safetensors header.</summary>
public sealed record SafeTensorsEntry(string Name, SafeTensorsDType DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Reads the safetensors format: an 8-byte little-endian header length, a JSON header mapping tensor names to
/// dtype, shape and data_offsets (relative to the end of the header), then the raw little-endian data.
/// </summary>
public sealed class SafeTensorsFile
{
    private const long MaxHeaderBytes = 100L << 20;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, long dataStart, Dictionary<string, SafeTensorsEntry> entries)
    {
        Path = path;
        _dataStart = dataStart;
        Entries = entries;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, SafeTensorsEntry> Entries { get; }

    public static SafeTensorsFile Open(string path)
    {
        var fileLength = new FileInfo(path).Length;
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (fileLength < 8)
        {
            throw new ModelBuildException($"Safetensors file '{path}' is too short ({fileLength} bytes).");
        }

        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || headerLength > fileLength - 8)
        {
            throw new ModelBuildException($"Safetensors file '{path}' has an invalid header length {headerLength}.");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var dataStart = 8 + headerLength;
        var dataLength = fileLength - dataStart;
        var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(header);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    continue;
                }

                var entry = ParseEntry(path, property);
                if (entry.End > dataLength)
                {
                    throw new ModelBuildException($"Safetensors file '{path}' is truncated: tensor '{entry.Name}' ends at {entry.End}, data holds {dataLength} bytes.");
                }

                entries.Add(entry.Name, entry);
            }
        }
        catch (JsonException ex)
        {
            throw new ModelBuildException($"Safetensors file '{path}' has a malformed JSON header: {ex.Message}", ex);
        }

        return new SafeTensorsFile(path, dataStart, entries);
    }

    /// <summary>Reads a tensor and converts it to fp32.</summary>
    public float[] ReadFloats(string name)
    {
        if (!Entries.TryGetValue(name, out var entry))
        {
            throw new ModelBuildException($"Tensor '{name}' is not in '{Path}'.");
        }

        var count = entry.ElementCount;
        var result = new float[count];
        using var handle = File.OpenHandle(Path);
        switch (entry.DType)
        {
            case SafeTensorsDType.F32:
                ReadExactly(handle, MemoryMarshal.AsBytes(result.AsSpan()), _dataStart + entry.Begin);
                break;
            case SafeTensorsDType.F16:
            case SafeTensorsDType.BF16:
                var halves = new ushort[count];
                ReadExactly(handle, MemoryMarshal.AsBytes(halves.AsSpan()), _dataStart + entry.Begin);
                for (long i = 0; i < count; i++)
                {
                    result[i] = entry.DType == SafeTensorsDType.F16
                        ? (float)BitConverter.UInt16BitsToHalf(halves[i])
                        : BitConverter.Int32BitsToSingle(halves[i] << 16);
                }

                break;
            default:
                throw new ModelBuildException($"Tensor '{name}' has unsupported dtype {entry.DType}.");
        }

        return result;
    }

    private static SafeTensorsEntry ParseEntry(string path, JsonProperty property)
    {
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeElement)
            || !value.TryGetProperty("shape", out var shapeElement)
            || !value.TryGetProperty("data_offsets", out var offsetsElement))
        {
            throw new ModelBuildException($"Safetensors file '{path}' has a malformed entry for '{property.Name}'.");
        }

        var dtypeText = dtypeElement.GetString();
        var dtype = dtypeText switch
        {
            "F32" => SafeTensorsDType.F32,
            "F16" => SafeTensorsDType.F16,
            "BF16" => SafeTensorsDType.BF16,
            _ => throw new ModelBuildException($"Tensor '{property.Name}' in '{path}' has unsupported dtype {dtypeText}; F32, F16 and BF16 are supported."),
        };
        var shape = shapeElement.EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var offsets = offsetsElement.EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var elementSize = dtype == SafeTensorsDType.F32 ? 4 : 2;
        var entry = new SafeTensorsEntry(property.Name, dtype, shape, offsets.Length == 2 ? offsets[0] : -1, offsets.Length == 2 ? offsets[1] : -1);
        if (offsets.Length != 2 || entry.Begin < 0 || entry.End < entry.Begin || shape.Any(d => d < 0)
            || entry.End - entry.Begin != entry.ElementCount * elementSize)
        {
            throw new ModelBuildException($"Tensor '{property.Name}' in '{path}' has offsets that do not match its shape and dtype.");
        }

        return entry;
    }

    private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer[read..], offset + read);
            if (n == 0)
            {
                throw new ModelBuildException("Safetensors data ended early.");
            }

            read += n;
        }
    }
}
