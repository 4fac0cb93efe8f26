using AkashML.Inference.Building.Llama;

namespace AkashML.Inference.Building;

/// <summary>
/// Named shapes for <see cref="ModelBuilder.BuildRandomAsync"/>: real models' dimensions with random weights, so decode
/// speed and memory traffic can be measured at a realistic size without downloading a checkpoint.
/// </summary>
public static class RandomModelShapes
{
    /// <summary>Qwen2.5-0.5B (config.json of Qwen/Qwen2.5-0.5B): tied embeddings, biased Q/K/V, 32k context.</summary>
    public const string Qwen25HalfB = "qwen2.5-0.5b";

    public static IReadOnlyList<string> Names { get; } = [Qwen25HalfB];

    /// <summary>The shape called <paramref name="name"/> (case-insensitive), or null. Token ids are filled in by the builder.</summary>
    public static LlamaArchitecture? Find(string name) => name.ToUpperInvariant() switch
    {
        "QWEN2.5-0.5B" => new LlamaArchitecture
        {
            ModelType = "qwen2",
            HiddenSize = 896,
            IntermediateSize = 4864,
            LayerCount = 24,
            HeadCount = 14,
            KeyValueHeadCount = 2,
            HeadSize = 64,
            VocabularySize = 151936,
            ContextLength = 32768,
            RmsNormEpsilon = 1e-6f,
            RopeTheta = 1000000.0,
            TiedEmbeddings = true,
            AttentionBias = true,
        },
        _ => null,
    };
}
