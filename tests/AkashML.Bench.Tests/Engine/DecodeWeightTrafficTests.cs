using AkashML.Bench.Engine;
using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Tests.Building;

namespace AkashML.Bench.Tests.Engine;

public sealed class DecodeWeightTrafficTests
{
    [Fact]
    public async Task Per_token_traffic_is_every_weight_but_only_one_row_of_the_embedding_and_rotary_tables()
    {
        using var temp = new TempDirectory();
        var result = await TinyRandomModel.BuildAsync(temp.Combine("tiny"), CancellationToken.None);
        var a = result.Architecture;

        var (perToken, total) = DecodeWeightTraffic.Measure(result.OutputDirectory);

        // fp32: the embedding [vocab, hidden] is read one row per token; so are the cos/sin caches [context, head/2].
        var embedding = (long)a.VocabularySize * a.HiddenSize * 4;
        var rotary = 2L * a.ContextLength * (a.HeadSize / 2) * 4;
        var skipped = embedding - (a.HiddenSize * 4L) + rotary - (2L * (a.HeadSize / 2) * 4);
        Assert.Equal(total - skipped, perToken);

        // Every other weight counts in full: the layers and the (tied, so separately stored) output projection.
        var layer = (2L * a.HiddenSize) + (a.HiddenSize * (a.QuerySize + (2L * a.KeyValueSize))) + (a.QuerySize * (long)a.HiddenSize) + (3L * a.HiddenSize * a.IntermediateSize);
        Assert.True(perToken >= ((a.LayerCount * layer) + ((long)a.VocabularySize * a.HiddenSize)) * 4, $"{perToken} bytes per token is less than the layers and the output projection");
    }
}
