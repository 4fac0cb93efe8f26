namespace AkashML.Inference.Building.Onnx;

/// <summary>
/// An initializer or constant (<c>TensorProto</c>). Its bytes are either inline (<see cref="RawData"/>) or in the
/// external data file at <see cref="ExternalOffset"/> (<see cref="ExternalLength"/> bytes).
/// </summary>
public sealed record OnnxTensor(string Name, OnnxDataType DataType, IReadOnlyList<long> Dims)
{
    public ReadOnlyMemory<byte> RawData { get; init; }

    public string? ExternalLocation { get; init; }

    public long ExternalOffset { get; init; }

    public long ExternalLength { get; init; }

    public bool IsExternal => ExternalLocation is not null;

    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var dim in Dims)
            {
                count *= dim;
            }

            return count;
        }
    }
}
