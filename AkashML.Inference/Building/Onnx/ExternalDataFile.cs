namespace AkashML.Inference.Building.Onnx;

/// <summary>
/// Appends initializer bytes to the external data file (<c>model.onnx.data</c>) as they are produced, so a large
/// model never has to be held in memory at once. Tensors start on 4096-byte boundaries so ONNX Runtime can map them.
/// </summary>
public sealed class ExternalDataFile : IDisposable
{
    private const int Alignment = 4096;
    private static readonly byte[] Padding = new byte[Alignment];
    private readonly FileStream _stream;

    public ExternalDataFile(string path, string location)
    {
        Location = location;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
    }

    /// <summary>The file name recorded in each tensor (relative to the model file).</summary>
    public string Location { get; }

    public long Length => _stream.Length;

    /// <summary>Writes one tensor's bytes and returns its offset.</summary>
    public long Append(ReadOnlySpan<byte> data)
    {
        var position = _stream.Position;
        var pad = (int)((Alignment - (position % Alignment)) % Alignment);
        if (pad != 0)
        {
            _stream.Write(Padding, 0, pad);
            position += pad;
        }

        _stream.Write(data);
        return position;
    }

    public void Dispose() => _stream.Dispose();
}
