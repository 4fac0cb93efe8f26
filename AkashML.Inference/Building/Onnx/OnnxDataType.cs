namespace AkashML.Inference.Building.Onnx;

/// <summary>Element types of <c>TensorProto.DataType</c> (values fixed by the ONNX schema).</summary>
public enum OnnxDataType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    Float16 = 10,
    BFloat16 = 16,
}
