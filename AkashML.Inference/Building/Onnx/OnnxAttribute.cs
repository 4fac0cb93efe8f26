namespace AkashML.Inference.Building.Onnx;

/// <summary>A node attribute (<c>AttributeProto</c>): exactly one of the value kinds is set.</summary>
public sealed record OnnxAttribute
{
    private OnnxAttribute(string name, OnnxAttributeKind kind)
    {
        Name = name;
        Kind = kind;
    }

    public string Name { get; }

    public OnnxAttributeKind Kind { get; }

    public long Int { get; private init; }

    public float Float { get; private init; }

    public string? String { get; private init; }

    public IReadOnlyList<long> Ints { get; private init; } = [];

    public IReadOnlyList<float> Floats { get; private init; } = [];

    public OnnxTensor? Tensor { get; private init; }

    public static OnnxAttribute FromInt(string name, long value) => new(name, OnnxAttributeKind.Int) { Int = value };

    public static OnnxAttribute FromFloat(string name, float value) => new(name, OnnxAttributeKind.Float) { Float = value };

    public static OnnxAttribute FromString(string name, string value) => new(name, OnnxAttributeKind.String) { String = value };

    public static OnnxAttribute FromInts(string name, params long[] values) => new(name, OnnxAttributeKind.Ints) { Ints = values };

    public static OnnxAttribute FromFloats(string name, params float[] values) => new(name, OnnxAttributeKind.Floats) { Floats = values };

    public static OnnxAttribute FromTensor(string name, OnnxTensor value) => new(name, OnnxAttributeKind.Tensor) { Tensor = value };
}

/// <summary>The attribute kinds used here; values are <c>AttributeProto.AttributeType</c>.</summary>
public enum OnnxAttributeKind
{
    Float = 1,
    Int = 2,
    String = 3,
    Tensor = 4,
    Floats = 6,
    Ints = 7,
}
