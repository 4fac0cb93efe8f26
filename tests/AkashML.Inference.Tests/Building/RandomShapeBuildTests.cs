using System.Text.Json;
using AkashML.Inference.Building;
using AkashML.Inference.Generation;
using AkashML.Inference.Runtime;

namespace AkashML.Inference.Tests.Building;

public sealed class RandomShapeBuildTests
{
    [Fact]
    public void The_qwen_preset_has_qwen2_5_0_5b_dimensions()
    {
        var shape = RandomModelShapes.Find("Qwen2.5-0.5B");

        Assert.NotNull(shape);
        Assert.Equal(
            ("qwen2", 896, 4864, 24, 14, 2, 64, 151936, true, true),
            (shape.ModelType, shape.HiddenSize, shape.IntermediateSize, shape.LayerCount, shape.HeadCount, shape.KeyValueHeadCount,
                shape.HeadSize, shape.VocabularySize, shape.TiedEmbeddings, shape.AttentionBias));
        Assert.Null(RandomModelShapes.Find("qwen2.5-7b"));
    }

    [Fact]
    public async Task A_random_int4_model_of_a_preset_shape_loads_and_decodes()
    {
        using var temp = new TempDirectory();

        // The preset with one layer and a smaller vocabulary keeps the test quick; the rest of the shape is as served.
        var shape = RandomModelShapes.Find(RandomModelShapes.Qwen25HalfB)! with { LayerCount = 1, VocabularySize = 16384, ContextLength = 512 };
        var result = await ModelBuilder.BuildRandomAsync(shape, temp.Combine("qwen"), int4: true);

        using (var config = JsonDocument.Parse(File.ReadAllBytes(temp.Combine("qwen", "genai_config.json"))))
        {
            var model = config.RootElement.GetProperty("model");
            Assert.Equal("qwen2", model.GetProperty("type").GetString());
            Assert.Equal(16384, model.GetProperty("vocab_size").GetInt32());
            Assert.Equal(896, model.GetProperty("decoder").GetProperty("hidden_size").GetInt32());
        }

        using var loaded = Model.Load(result.OutputDirectory);
        using var generator = new Generator(loaded, new GeneratorParams(loaded) { MaxLength = 8, MinLength = 8 });
        generator.AppendTokens([result.Architecture.BosTokenId, 100, 200]);
        while (!generator.IsDone)
        {
            generator.GenerateNextToken();
        }

        Assert.Equal(8, generator.GetSequence(0).Length);
        Assert.All(generator.GetSequence(0).ToArray(), id => Assert.InRange(id, 0, 16383));
    }
}
