using AkashML.Inference.Building.Llama;

namespace AkashML.Inference.Building.TinyRandom;

/// <summary>
/// Deterministic random weights: each tensor comes from its own SplitMix64 stream seeded by the tensor's identity,
/// drawn uniform in [-a, a] with integer arithmetic and exact float scaling, so the values are the same on every machine.
/// Norm weights are ones.
/// </summary>
public sealed class TinyRandomWeights(LlamaArchitecture architecture, ulong seed) : ILlamaWeights
{
    /// <summary>Half-width of the uniform distribution (standard deviation about 0.1).</summary>
    private const float Amplitude = 0.17f;

    public LlamaArchitecture Architecture { get; } = architecture;

    public float[] TokenEmbedding() => Random(1, 0, (long)Architecture.VocabularySize * Architecture.HiddenSize);

    public float[] FinalNorm() => Ones(Architecture.HiddenSize);

    public float[]? OutputProjection() => Architecture.TiedEmbeddings ? null : Random(2, 0, (long)Architecture.VocabularySize * Architecture.HiddenSize);

    public float[] Layer(int layer, LlamaTensor tensor)
    {
        var a = Architecture;
        long hidden = a.HiddenSize;
        var stream = 100 + (layer * 100) + (int)tensor;
        return tensor switch
        {
            LlamaTensor.InputNorm or LlamaTensor.PostAttentionNorm => Ones(a.HiddenSize),
            LlamaTensor.QueryWeight => Random(stream, layer, a.QuerySize * hidden),
            LlamaTensor.KeyWeight or LlamaTensor.ValueWeight => Random(stream, layer, a.KeyValueSize * hidden),
            LlamaTensor.OutputWeight => Random(stream, layer, hidden * a.QuerySize),
            LlamaTensor.GateWeight or LlamaTensor.UpWeight or LlamaTensor.DownWeight => Random(stream, layer, hidden * a.IntermediateSize),
            LlamaTensor.QueryBias => Random(stream, layer, a.QuerySize),
            LlamaTensor.KeyBias or LlamaTensor.ValueBias => Random(stream, layer, a.KeyValueSize),
            _ => throw new ArgumentOutOfRangeException(nameof(tensor)),
        };
    }

    private static float[] Ones(int count)
    {
        var values = new float[count];
        Array.Fill(values, 1f);
        return values;
    }

    private float[] Random(int stream, int layer, long count)
    {
        var state = seed ^ ((ulong)stream * 0x9E3779B97F4A7C15UL) ^ ((ulong)layer << 32);
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            var unit = (int)(z >> 40) - (1 << 23);
            values[i] = unit * (Amplitude / (1 << 23));
        }

        return values;
    }
}
