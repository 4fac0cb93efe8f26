namespace AkashML.Inference.Building.Llama;

/// <summary>
/// The hyper-parameters of a Llama-family decoder (RMSNorm, rotary attention with grouped KV heads, SwiGLU MLP).
/// </summary>
public sealed record LlamaArchitecture
{
    /// <summary>GenAI model type written to genai_config.json ("llama", "qwen2", "mistral", "phi3").</summary>
    public string ModelType { get; init; } = "llama";

    public required int HiddenSize { get; init; }

    public required int IntermediateSize { get; init; }

    public required int LayerCount { get; init; }

    public required int HeadCount { get; init; }

    public required int KeyValueHeadCount { get; init; }

    public required int HeadSize { get; init; }

    public required int VocabularySize { get; init; }

    /// <summary>Longest sequence the model serves (rotary tables are this long).</summary>
    public required int ContextLength { get; init; }

    public float RmsNormEpsilon { get; init; } = 1e-5f;

    public double RopeTheta { get; init; } = 10000.0;

    public RopeScaling RopeScaling { get; init; } = RopeScaling.None;

    /// <summary>True when rotary pairs are adjacent (llama2.c, GPT-J); false for the rotate-half layout of HF Llama.</summary>
    public bool RotaryInterleaved { get; init; }

    /// <summary>True when the output projection reuses the token embedding.</summary>
    public bool TiedEmbeddings { get; init; }

    /// <summary>True when Q, K and V projections carry a bias (Qwen2).</summary>
    public bool AttentionBias { get; init; }

    /// <summary>Sliding attention window (Mistral), or null for full attention.</summary>
    public int? SlidingWindow { get; init; }

    public int BosTokenId { get; init; } = 1;

    public IReadOnlyList<int> EosTokenIds { get; init; } = [2];

    public int PadTokenId { get; init; }

    public int QuerySize => HeadCount * HeadSize;

    public int KeyValueSize => KeyValueHeadCount * HeadSize;

    /// <summary>Checks the shape rules the graph relies on; throws <see cref="ModelBuildException"/> otherwise.</summary>
    public void Validate()
    {
        static void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new ModelBuildException(message);
            }
        }

        Require(HiddenSize > 0 && IntermediateSize > 0 && LayerCount > 0 && VocabularySize > 0, "Model dimensions must be positive.");
        Require(HeadCount > 0 && KeyValueHeadCount > 0, "Head counts must be positive.");
        Require(HeadCount % KeyValueHeadCount == 0, $"num_attention_heads ({HeadCount}) must be a multiple of num_key_value_heads ({KeyValueHeadCount}).");
        Require(HeadSize > 0 && HeadSize % 8 == 0, $"Head size {HeadSize} is not supported: GroupQueryAttention needs a multiple of 8.");
        Require(HeadSize % 2 == 0, "Head size must be even for rotary embeddings.");
        Require(ContextLength > 0, "Context length must be positive.");
    }
}
