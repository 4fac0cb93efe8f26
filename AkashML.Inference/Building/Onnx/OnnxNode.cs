namespace AkashML.Inference.Building.Onnx;

/// <summary>A graph node (<c>NodeProto</c>). An empty input name means an omitted optional input.</summary>
public sealed record OnnxNode(
    string Name,
    string OpType,
    string Domain,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyList<OnnxAttribute> Attributes);
