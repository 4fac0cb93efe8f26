using System.Buffers.Binary;
using AkashML.Inference.Building;
using AkashML.Inference.Building.Sources;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Building;

public sealed class Llama2CCheckpointTests
{
    [NeedsSharedFact("models/llama2c-stories260K")]
    public void Reads_the_stories260K_header()
    {
        var checkpoint = Llama2CCheckpoint.Open(Path.Combine(SharedTestData.PathOf("models/llama2c-stories260K"), "stories260K.bin"));
        Assert.Equal(new Llama2CHeader(64, 172, 5, 8, 4, 512, 512, true), checkpoint.Header);
        Assert.Equal(8, checkpoint.Architecture.HeadSize);
        Assert.True(checkpoint.Architecture.RotaryInterleaved);
        Assert.True(checkpoint.Architecture.TiedEmbeddings);
        Assert.Equal(1056540, checkpoint.ExpectedLength);
    }

    [NeedsSharedFact("models/llama2c-stories260K")]
    public void The_reference_forward_pass_reproduces_llama2c_greedy_output()
    {
        // karpathy/llama2.c doc/stories260K.md: the greedy sample from an empty prompt (BOS only).
        var checkpoint = Llama2CCheckpoint.Open(Path.Combine(SharedTestData.PathOf("models/llama2c-stories260K"), "stories260K.bin"));
        var encoder = new Llama2CEncoder(Path.Combine(SharedTestData.PathOf("models/llama2c-stories260K"), "tok512.bin"), 512);
        var reference = new ReferenceLlama(checkpoint);
        var ids = reference.Greedy([1], 30);
        var text = string.Concat(ids.Select(encoder.Decode));
        Assert.StartsWith(" Once upon a time, there was a little girl named Lily. She loved to play outside in the park", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_that_cannot_be_llama2c_is_rejected()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("bad.bin");
        File.WriteAllBytes(path, Header(64, 172, 5, 7, 4, 512, 512));
        Assert.Contains("n_heads", Assert.Throws<ModelBuildException>(() => Llama2CCheckpoint.Open(path)).Message, StringComparison.Ordinal);
        File.WriteAllBytes(path, Header(-1, 0, 0, 0, 0, 0, 0));
        Assert.Contains("wrong llama2.c header", Assert.Throws<ModelBuildException>(() => Llama2CCheckpoint.Open(path)).Message, StringComparison.Ordinal);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("too short", Assert.Throws<ModelBuildException>(() => Llama2CCheckpoint.Open(path)).Message, StringComparison.Ordinal);
        File.WriteAllBytes(path, [.. "24ka"u8.ToArray(), .. new byte[60]]);
        Assert.Contains("version 1", Assert.Throws<ModelBuildException>(() => Llama2CCheckpoint.Open(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_size_must_match_the_header()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("small.bin");
        const int Dim = 16, Hidden = 32, Layers = 1, Heads = 2, KvHeads = 1, Vocab = 10, Seq = 8;
        var kvDim = KvHeads * (Dim / Heads);
        long floats = (Vocab * Dim) + (Layers * Dim) + (Layers * Dim * Dim) + (2 * Layers * Dim * kvDim) + (Layers * Dim * Dim)
            + (Layers * Dim) + (3 * Layers * Dim * Hidden) + Dim + (Seq * (Dim / Heads));
        File.WriteAllBytes(path, [.. Header(Dim, Hidden, Layers, Heads, KvHeads, Vocab, Seq), .. new byte[floats * 4]]);
        Assert.Equal(Llama2CCheckpoint.HeaderBytes + (floats * 4), Llama2CCheckpoint.Open(path).ExpectedLength);

        File.WriteAllBytes(path, [.. Header(Dim, Hidden, Layers, Heads, KvHeads, Vocab, Seq), .. new byte[(floats * 4) - 4]]);
        Assert.Contains("truncated", Assert.Throws<ModelBuildException>(() => Llama2CCheckpoint.Open(path)).Message, StringComparison.Ordinal);

        // A negative vocabulary size means an unshared classifier follows the weights.
        File.WriteAllBytes(path, [.. Header(Dim, Hidden, Layers, Heads, KvHeads, -Vocab, Seq), .. new byte[floats * 4]]);
        Assert.Throws<ModelBuildException>(() => Llama2CCheckpoint.Open(path));
        File.WriteAllBytes(path, [.. Header(Dim, Hidden, Layers, Heads, KvHeads, -Vocab, Seq), .. new byte[(floats + (Vocab * Dim)) * 4]]);
        Assert.False(Llama2CCheckpoint.Open(path).Architecture.TiedEmbeddings);
    }

    internal static byte[] Header(params int[] fields)
    {
        var bytes = new byte[fields.Length * 4];
        for (var i = 0; i < fields.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), fields[i]);
        }

        return bytes;
    }
}
