namespace AkashML.Inference.Native;

/// <summary>A session input or output: name, ONNX value kind, element type and dimensions (-1 where symbolic).</summary>
internal sealed record OrtTensorInfo(string Name, bool IsTensor, TensorElementType ElementType, long[] Dimensions, string[] SymbolicDimensions);
