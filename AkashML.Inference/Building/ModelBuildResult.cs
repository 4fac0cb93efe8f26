using AkashML.Inference.Building.Llama;

namespace AkashML.Inference.Building;

/// <summary>What a build produced.</summary>
public sealed record ModelBuildResult(string OutputDirectory, LlamaArchitecture Architecture, WeightFormat WeightFormat, long TotalBytes, TimeSpan Elapsed);
