using System.Runtime.InteropServices;

namespace AkashML.Inference.Building.Onnx;

/// <summary>
/// Collects the nodes, initializers, inputs and outputs of one ONNX graph. Initializers above
/// <see cref="InlineLimitBytes"/> go to the external data file when one is attached.
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>Tensors up to this size stay inside model.onnx (shape constants, small norms).</summary>
    public const int InlineLimitBytes = 1024;

    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly ExternalDataFile? _external;

    public OnnxGraph(string name, ExternalDataFile? external)
    {
        Name = name;
        _external = external;
    }

    public string Name { get; }

    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    public IReadOnlyList<OnnxTensor> Initializers => _initializers;

    public IReadOnlyList<OnnxValueInfo> Inputs => _inputs;

    public IReadOnlyList<OnnxValueInfo> Outputs => _outputs;

    public void AddInput(string name, OnnxDataType type, params OnnxDimension[] shape) => _inputs.Add(new OnnxValueInfo(name, type, shape));

    public void AddOutput(string name, OnnxDataType type, params OnnxDimension[] shape) => _outputs.Add(new OnnxValueInfo(name, type, shape));

    /// <summary>Adds a node and returns its first output name.</summary>
    public string AddNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, string domain = "", string? name = null, params OnnxAttribute[] attributes)
    {
        var nodeName = UniqueName(name ?? (outputs.Count > 0 && outputs[0].Length > 0 ? outputs[0].TrimStart('/') + "/" + opType : opType));
        _nodes.Add(new OnnxNode(nodeName, opType, domain, inputs.ToArray(), outputs.ToArray(), attributes));
        return outputs.Count > 0 ? outputs[0] : string.Empty;
    }

    public string AddInitializer(string name, OnnxDataType type, IReadOnlyList<long> dims, ReadOnlySpan<byte> data)
    {
        if (!_names.Add("init:" + name))
        {
            throw new InvalidOperationException($"Initializer '{name}' is defined twice.");
        }

        if (_external is not null && data.Length > InlineLimitBytes)
        {
            var offset = _external.Append(data);
            _initializers.Add(new OnnxTensor(name, type, dims.ToArray())
            {
                ExternalLocation = _external.Location,
                ExternalOffset = offset,
                ExternalLength = data.Length,
            });
        }
        else
        {
            _initializers.Add(new OnnxTensor(name, type, dims.ToArray()) { RawData = data.ToArray() });
        }

        return name;
    }

    public string AddFloats(string name, IReadOnlyList<long> dims, ReadOnlySpan<float> values) =>
        AddInitializer(name, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(values));

    public string AddInt64s(string name, IReadOnlyList<long> dims, ReadOnlySpan<long> values) =>
        AddInitializer(name, OnnxDataType.Int64, dims, MemoryMarshal.AsBytes(values));

    public string AddBytes(string name, IReadOnlyList<long> dims, ReadOnlySpan<byte> values) =>
        AddInitializer(name, OnnxDataType.UInt8, dims, values);

    private string UniqueName(string name)
    {
        if (_names.Add(name))
        {
            return name;
        }

        for (var i = 1; ; i++)
        {
            var candidate = name + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (_names.Add(candidate))
            {
                return candidate;
            }
        }
    }
}
