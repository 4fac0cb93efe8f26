using System.Globalization;

namespace AkashML.Inference.Building.Onnx;

/// <summary>
/// Serializes a graph as an ONNX <c>ModelProto</c>. Field numbers follow onnx.proto (proto2): repeated scalars are
/// written unpacked, as proto2 declares them, except where the schema says packed.
/// </summary>
public static class OnnxModelWriter
{
    /// <summary>IR version 8 (ONNX 1.10+); every ONNX Runtime release since 1.10 reads it.</summary>
    public const long IrVersion = 8;

    public static byte[] Serialize(OnnxGraph graph, IReadOnlyList<KeyValuePair<string, long>> opsets, string producerName, string producerVersion)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(opsets);
        var model = new ProtoBuffer();
        model.WriteInt64(1, IrVersion);
        model.WriteString(2, producerName);
        model.WriteString(3, producerVersion);
        model.WriteMessage(7, EncodeGraph(graph));
        foreach (var (domain, version) in opsets)
        {
            var opset = new ProtoBuffer();
            if (domain.Length > 0)
            {
                opset.WriteString(1, domain);
            }

            opset.WriteInt64(2, version);
            model.WriteMessage(8, opset);
        }

        return model.ToArray();
    }

    internal static ProtoBuffer EncodeGraph(OnnxGraph graph)
    {
        var buffer = new ProtoBuffer();
        foreach (var node in graph.Nodes)
        {
            buffer.WriteMessage(1, EncodeNode(node));
        }

        buffer.WriteString(2, graph.Name);
        foreach (var tensor in graph.Initializers)
        {
            buffer.WriteMessage(5, EncodeTensor(tensor));
        }

        foreach (var input in graph.Inputs)
        {
            buffer.WriteMessage(11, EncodeValueInfo(input));
        }

        foreach (var output in graph.Outputs)
        {
            buffer.WriteMessage(12, EncodeValueInfo(output));
        }

        return buffer;
    }

    internal static ProtoBuffer EncodeNode(OnnxNode node)
    {
        var buffer = new ProtoBuffer();
        foreach (var input in node.Inputs)
        {
            buffer.WriteString(1, input);
        }

        foreach (var output in node.Outputs)
        {
            buffer.WriteString(2, output);
        }

        buffer.WriteString(3, node.Name);
        buffer.WriteString(4, node.OpType);
        foreach (var attribute in node.Attributes)
        {
            buffer.WriteMessage(5, EncodeAttribute(attribute));
        }

        if (node.Domain.Length > 0)
        {
            buffer.WriteString(7, node.Domain);
        }

        return buffer;
    }

    internal static ProtoBuffer EncodeAttribute(OnnxAttribute attribute)
    {
        var buffer = new ProtoBuffer();
        buffer.WriteString(1, attribute.Name);
        switch (attribute.Kind)
        {
            case OnnxAttributeKind.Float:
                buffer.WriteFloat(2, attribute.Float);
                break;
            case OnnxAttributeKind.Int:
                buffer.WriteInt64(3, attribute.Int);
                break;
            case OnnxAttributeKind.String:
                buffer.WriteString(4, attribute.String ?? string.Empty);
                break;
            case OnnxAttributeKind.Tensor:
                buffer.WriteMessage(5, EncodeTensor(attribute.Tensor!));
                break;
            case OnnxAttributeKind.Floats:
                foreach (var value in attribute.Floats)
                {
                    buffer.WriteFloat(7, value);
                }

                break;
            case OnnxAttributeKind.Ints:
                foreach (var value in attribute.Ints)
                {
                    buffer.WriteInt64(8, value);
                }

                break;
            default:
                throw new InvalidOperationException($"Unsupported attribute kind {attribute.Kind}.");
        }

        buffer.WriteInt64(20, (long)attribute.Kind);
        return buffer;
    }

    internal static ProtoBuffer EncodeTensor(OnnxTensor tensor)
    {
        var buffer = new ProtoBuffer();
        foreach (var dim in tensor.Dims)
        {
            buffer.WriteInt64(1, dim);
        }

        buffer.WriteInt64(2, (long)tensor.DataType);
        buffer.WriteString(8, tensor.Name);
        if (tensor.IsExternal)
        {
            WriteEntry(buffer, 13, "location", tensor.ExternalLocation!);
            WriteEntry(buffer, 13, "offset", tensor.ExternalOffset.ToString(CultureInfo.InvariantCulture));
            WriteEntry(buffer, 13, "length", tensor.ExternalLength.ToString(CultureInfo.InvariantCulture));
            buffer.WriteInt64(14, 1);
        }
        else
        {
            buffer.WriteBytes(9, tensor.RawData.Span);
        }

        return buffer;
    }

    internal static ProtoBuffer EncodeValueInfo(OnnxValueInfo info)
    {
        var shape = new ProtoBuffer();
        foreach (var dim in info.Shape)
        {
            var dimension = new ProtoBuffer();
            if (dim.Symbol is not null)
            {
                dimension.WriteString(2, dim.Symbol);
            }
            else
            {
                dimension.WriteInt64(1, dim.Value);
            }

            shape.WriteMessage(1, dimension);
        }

        var tensorType = new ProtoBuffer();
        tensorType.WriteInt64(1, (long)info.ElementType);
        tensorType.WriteMessage(2, shape);
        var type = new ProtoBuffer();
        type.WriteMessage(1, tensorType);
        var buffer = new ProtoBuffer();
        buffer.WriteString(1, info.Name);
        buffer.WriteMessage(2, type);
        return buffer;
    }

    private static void WriteEntry(ProtoBuffer buffer, int field, string key, string value)
    {
        var entry = new ProtoBuffer();
        entry.WriteString(1, key);
        entry.WriteString(2, value);
        buffer.WriteMessage(field, entry);
    }
}
