using System.Text;

namespace AkashML.Inference.Runtime;

/// <summary>
/// Whether an ONNX file holds a node of some operator type, found by its name's bytes (an op_type string of a NodeProto)
/// rather than by parsing the protobuf. Used once per model load to tell GroupQueryAttention graphs from graphs whose
/// present is the past with the new tokens appended: nothing else in a model file spells those names.
/// </summary>
internal static class GraphOpScan
{
    private const int ChunkBytes = 1 << 20;

    internal static bool Contains(string modelPath, string opType)
    {
        var needle = Encoding.ASCII.GetBytes(opType);
        var buffer = new byte[ChunkBytes + needle.Length];
        using var file = new FileStream(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var carried = 0;
        while (true)
        {
            var read = file.Read(buffer, carried, ChunkBytes);
            if (read == 0)
            {
                return false;
            }

            var filled = carried + read;
            if (buffer.AsSpan(0, filled).IndexOf(needle) >= 0)
            {
                return true;
            }

            // Keep the tail so a name split across two reads is still found.
            carried = Math.Min(needle.Length - 1, filled);
            buffer.AsSpan(filled - carried, carried).CopyTo(buffer);
        }
    }
}
