using AkashML.Inference.Building.Onnx;

namespace AkashML.Bench.Engine;

/// <summary>
/// The bytes of weights one decode step has to read from memory, from a model folder's <c>model.onnx</c>: every
/// initializer in full, except tables indexed by token or position (a Gather's data, the rotary cos/sin caches), of
/// which one row per token is read. At batch size 1 decode reads each weight once per token, so this over the memory
/// bandwidth bounds tokens/s.
/// </summary>
public static class DecodeWeightTraffic
{
    // ONNX protobuf field numbers (onnx.proto): ModelProto.graph; GraphProto.node, .initializer; NodeProto.input, .op_type;
    // TensorProto.dims, .data_type, .name.
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int NodeInput = 1;
    private const int NodeOpType = 4;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorName = 8;

    // TensorProto.DataType values that OnnxDataType (the builder's subset) does not name.
    private const int UInt16 = 4;
    private const int Int16 = 5;
    private const int Double = 11;
    private const int UInt32 = 12;
    private const int UInt64 = 13;

    /// <summary>Bytes of weights read per decoded token (batch 1), and the initializers' total size.</summary>
    public static (long PerToken, long Total) Measure(string modelFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        var model = File.ReadAllBytes(Path.Combine(modelFolder, "model.onnx"));
        var initializers = new List<(string Name, long[] Dims, int DataType)>();
        var rowIndexed = new HashSet<string>(StringComparer.Ordinal);
        var reader = new ProtoReader(model);
        while (reader.Next())
        {
            if (reader.Field != ModelGraph || reader.WireType != 2)
            {
                reader.Skip();
                continue;
            }

            var graph = new ProtoReader(reader.ReadBytes());
            while (graph.Next())
            {
                if (graph.Field == GraphInitializer && graph.WireType == 2)
                {
                    initializers.Add(ReadTensor(graph.ReadBytes()));
                }
                else if (graph.Field == GraphNode && graph.WireType == 2)
                {
                    AddRowIndexedInputs(graph.ReadBytes(), rowIndexed);
                }
                else
                {
                    graph.Skip();
                }
            }
        }

        long perToken = 0;
        long total = 0;
        foreach (var (name, dims, dataType) in initializers)
        {
            var bytes = dims.Aggregate(1L, (product, dim) => product * dim) * ElementSize(dataType);
            total += bytes;
            perToken += rowIndexed.Contains(name) && dims.Length > 0 && dims[0] > 0 ? bytes / dims[0] : bytes;
        }

        return (perToken, total);
    }

    /// <summary>The inputs of a node that it reads one row of per token: Gather's data, the cos/sin caches of rotary ops.</summary>
    private static void AddRowIndexedInputs(ReadOnlySpan<byte> node, HashSet<string> rowIndexed)
    {
        var inputs = new List<string>();
        var opType = "";
        var reader = new ProtoReader(node);
        while (reader.Next())
        {
            if (reader.Field == NodeInput && reader.WireType == 2)
            {
                inputs.Add(reader.ReadString());
            }
            else if (reader.Field == NodeOpType && reader.WireType == 2)
            {
                opType = reader.ReadString();
            }
            else
            {
                reader.Skip();
            }
        }

        // Input positions from the operator specs: Gather(data, indices); RotaryEmbedding(input, position_ids, cos, sin);
        // GroupQueryAttention(query, key, value, past_key, past_value, seqlens_k, total_sequence_length, cos, sin).
        int[] indexed = opType switch
        {
            "Gather" => [0],
            "RotaryEmbedding" => [2, 3],
            "GroupQueryAttention" => [7, 8],
            _ => [],
        };
        foreach (var position in indexed)
        {
            if (position < inputs.Count)
            {
                rowIndexed.Add(inputs[position]);
            }
        }
    }

    private static (string Name, long[] Dims, int DataType) ReadTensor(ReadOnlySpan<byte> tensor)
    {
        var dims = new List<long>();
        var dataType = 0;
        var name = "";
        var reader = new ProtoReader(tensor);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case TensorDims when reader.WireType == 0:
                    dims.Add(reader.ReadInt64());
                    break;
                case TensorDims when reader.WireType == 2:
                    var packed = new ProtoReader(reader.ReadBytes());
                    while (packed.HasMore)
                    {
                        dims.Add(packed.ReadInt64());
                    }

                    break;
                case TensorDataType when reader.WireType == 0:
                    dataType = (int)reader.ReadVarint();
                    break;
                case TensorName when reader.WireType == 2:
                    name = reader.ReadString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return (name, [.. dims], dataType);
    }

    /// <summary>Bytes per element of an ONNX TensorProto data type; 4-bit weights are stored as packed uint8 tensors.</summary>
    private static long ElementSize(int dataType) => dataType switch
    {
        (int)OnnxDataType.Float or (int)OnnxDataType.Int32 or UInt32 => 4,
        (int)OnnxDataType.Int64 or Double or UInt64 => 8,
        (int)OnnxDataType.Float16 or (int)OnnxDataType.BFloat16 or UInt16 or Int16 => 2,
        _ => 1,
    };
}
