using System.Buffers.Binary;
using System.Text;

namespace AkashML.Inference.Building.Onnx;

/// <summary>A minimal protocol buffer wire-format reader: walks the fields of one message.</summary>
public ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
        Field = 0;
        WireType = 0;
    }

    public int Field { get; private set; }

    public int WireType { get; private set; }

    /// <summary>True while unread bytes remain (for walking a packed repeated field's values).</summary>
    public readonly bool HasMore => _position < _data.Length;

    /// <summary>Moves to the next field; false at the end of the message.</summary>
    public bool Next()
    {
        if (_position >= _data.Length)
        {
            return false;
        }

        var tag = ReadVarint();
        Field = (int)(tag >> 3);
        WireType = (int)(tag & 7);
        if (Field == 0)
        {
            throw new InvalidDataException("Protobuf field number 0 is invalid.");
        }

        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new InvalidDataException("Protobuf varint runs past the end of the data.");
            }

            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("Protobuf varint is longer than 10 bytes.");
    }

    public long ReadInt64() => unchecked((long)ReadVarint());

    public float ReadFloat()
    {
        var value = BinaryPrimitives.ReadSingleLittleEndian(Take(4));
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw new InvalidDataException("Protobuf length-delimited field runs past the end of the data.");
        }

        return Take((int)length);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    /// <summary>Skips the current field's value.</summary>
    public void Skip()
    {
        switch (WireType)
        {
            case 0:
                ReadVarint();
                break;
            case 1:
                Take(8);
                break;
            case 2:
                ReadBytes();
                break;
            case 5:
                Take(4);
                break;
            default:
                throw new InvalidDataException($"Unsupported protobuf wire type {WireType}.");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new InvalidDataException("Protobuf field runs past the end of the data.");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
