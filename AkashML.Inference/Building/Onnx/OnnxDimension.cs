namespace AkashML.Inference.Building.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size or a symbolic name.</summary>
public readonly record struct OnnxDimension(long Value, string? Symbol)
{
    public static implicit operator OnnxDimension(long value) => new(value, null);

    public static implicit operator OnnxDimension(string symbol) => new(0, symbol);

    public static OnnxDimension FromInt64(long value) => new(value, null);

    public static OnnxDimension FromSymbol(string symbol) => new(0, symbol);

    public override string ToString() => Symbol ?? Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
