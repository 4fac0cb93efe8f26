using System.Buffers.Binary;
using System.Globalization;

namespace AkashML.Inference.Building.Sources;

/// <summary>The seven int32 fields at the start of a llama2.c checkpoint.</summary>
public sealed record Llama2CHeader(int Dim, int HiddenDim, int LayerCount, int HeadCount, int KeyValueHeadCount, int VocabularySize, int SequenceLength, bool SharedClassifier)
{
    /// <summary>Sizes above this are not a llama2.c model but a wrong file.</summary>
    private const int Plausible = 1 << 20;

    public static Llama2CHeader Parse(ReadOnlySpan<byte> header)
    {
        Span<int> fields = stackalloc int[7];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = BinaryPrimitives.ReadInt32LittleEndian(header[(i * 4)..]);
        }

        var vocab = fields[5];
        return new Llama2CHeader(fields[0], fields[1], fields[2], fields[3], fields[4], vocab == int.MinValue ? 0 : Math.Abs(vocab), fields[6], vocab > 0);
    }

    public void Validate(string path)
    {
        void Require(bool condition, string what)
        {
            if (!condition)
            {
                throw new ModelBuildException($"Checkpoint '{path}' has a wrong llama2.c header ({this}): {what}.");
            }
        }

        Require(Dim is > 0 and < Plausible, "dim out of range");
        Require(HiddenDim is > 0 and < Plausible, "hidden_dim out of range");
        Require(LayerCount is > 0 and <= 1024, "n_layers out of range");
        Require(HeadCount is > 0 and <= 1024 && Dim % HeadCount == 0, "n_heads must divide dim");
        Require(KeyValueHeadCount > 0 && KeyValueHeadCount <= HeadCount && HeadCount % KeyValueHeadCount == 0, "n_kv_heads must divide n_heads");
        Require(VocabularySize is > 0 and < Plausible * 4, "vocab_size out of range");
        Require(SequenceLength is > 0 and < Plausible, "seq_len out of range");
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"dim={Dim}, hidden_dim={HiddenDim}, n_layers={LayerCount}, n_heads={HeadCount}, n_kv_heads={KeyValueHeadCount}, vocab_size={(SharedClassifier ? VocabularySize : -VocabularySize)}, seq_len={SequenceLength}");
}
