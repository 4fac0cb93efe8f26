namespace AkashML.Inference.Building.Llama;

/// <summary>How the builder stores linear-layer weights.</summary>
public enum WeightFormat
{
    /// <summary>fp32 MatMul weights.</summary>
    Float32,

    /// <summary>4-bit block-quantized weights run by com.microsoft MatMulNBits (block size 32).</summary>
    Int4,
}
