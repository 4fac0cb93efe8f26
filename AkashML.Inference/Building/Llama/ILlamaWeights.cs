namespace AkashML.Inference.Building.Llama;

/// <summary>
/// Supplies a Llama model's weights as fp32, one tensor at a time, so the builder never holds the whole model.
/// Linear weights are [out, in] row-major (the Hugging Face layout).
/// </summary>
public interface ILlamaWeights
{
    LlamaArchitecture Architecture { get; }

    /// <summary>Token embedding, [vocab, hidden].</summary>
    float[] TokenEmbedding();

    float[] Layer(int layer, LlamaTensor tensor);

    /// <summary>Final RMSNorm weight, [hidden].</summary>
    float[] FinalNorm();

    /// <summary>Output projection [vocab, hidden], or null when tied to the embedding.</summary>
    float[]? OutputProjection();
}
