namespace AkashML.Inference.Building.Onnx;

/// <summary>A typed graph input or output (<c>ValueInfoProto</c> with a tensor type).</summary>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, IReadOnlyList<OnnxDimension> Shape);
