using System.Buffers.Binary;
using System.Text;

namespace AkashML.Inference.Building.Onnx;

/// <summary>
/// A growable buffer that encodes protocol buffer wire format (varints, length-delimited fields, fixed32).
/// Only what the ONNX messages need; nested messages are encoded into their own buffer and appended.
/// </summary>
internal sealed class ProtoBuffer
{
    private const int WireVarint = 0;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private byte[] _bytes = new byte[256];
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _bytes.AsSpan(0, _length);

    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        WriteVarint(unchecked((ulong)value));
    }

    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        Span<byte> span = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(span, value);
        Append(span);
    }

    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)value.Length);
        Append(value);
    }

    public void WriteMessage(int field, ProtoBuffer message) => WriteBytes(field, message.WrittenSpan);

    public void WriteTo(Stream stream) => stream.Write(_bytes, 0, _length);

    public byte[] ToArray() => WrittenSpan.ToArray();

    private void WriteTag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        Span<byte> span = stackalloc byte[10];
        var count = 0;
        while (value >= 0x80)
        {
            span[count++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[count++] = (byte)value;
        Append(span[..count]);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > _bytes.Length)
        {
            var capacity = Math.Max(_bytes.Length * 2, _length + data.Length);
            Array.Resize(ref _bytes, capacity);
        }

        data.CopyTo(_bytes.AsSpan(_length));
        _length += data.Length;
    }
}
