namespace AkashML.Inference.Building.Llama;

/// <summary>The per-layer tensors of a Llama decoder layer. Linear weights are [out, in], row-major.</summary>
public enum LlamaTensor
{
    InputNorm,
    QueryWeight,
    KeyWeight,
    ValueWeight,
    OutputWeight,
    QueryBias,
    KeyBias,
    ValueBias,
    PostAttentionNorm,
    GateWeight,
    UpWeight,
    DownWeight,
}
