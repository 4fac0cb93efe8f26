using System.Text.Json;
using AkashML.Inference.Building;
using AkashML.Inference.Building.Llama;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Building;

public sealed class ModelBuilderTests
{
    [Theory]
    [InlineData("llama", false, "F32", false)]
    [InlineData("qwen2", true, "BF16", false)]
    [InlineData("phi3", false, "F16", true)]
    [InlineData("mistral", false, "F32", true)]
    public async Task Builds_a_genai_folder_from_a_hugging_face_folder(string modelType, bool tied, string dtype, bool int4)
    {
        using var temp = new TempDirectory();
        var source = temp.Combine("hf");
        HuggingFaceFolderFixture.Write(source, new HuggingFaceFolderFixture.Options(ModelType: modelType, Tied: tied, DType: dtype));
        var output = temp.Combine("out", "model");

        var result = await ModelBuilder.BuildFromHuggingFaceAsync(source, output, int4);

        Assert.Equal(Path.GetFullPath(output), result.OutputDirectory);
        Assert.Equal(int4 ? WeightFormat.Int4 : WeightFormat.Float32, result.WeightFormat);
        foreach (var file in new[] { "model.onnx", "model.onnx.data", "genai_config.json", "tokenizer.json", "tokenizer_config.json" })
        {
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        }

        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "genai_config.json")));
        var model = config.RootElement.GetProperty("model");
        Assert.Equal(modelType, model.GetProperty("type").GetString());
        Assert.Equal(256, model.GetProperty("context_length").GetInt32());
        Assert.Equal([2, 3], model.GetProperty("eos_token_id").EnumerateArray().Select(e => e.GetInt32()));
        var decoder = model.GetProperty("decoder");
        Assert.Equal(16, decoder.GetProperty("head_size").GetInt32());
        Assert.Equal(2, decoder.GetProperty("num_key_value_heads").GetInt32());
        Assert.Equal("past_key_values.%d.key", decoder.GetProperty("inputs").GetProperty("past_key_names").GetString());
        Assert.True(config.RootElement.GetProperty("search").GetProperty("past_present_share_buffer").GetBoolean());

        using var tokenizerConfig = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "tokenizer_config.json")));
        Assert.Contains("messages", tokenizerConfig.RootElement.GetProperty("chat_template").GetString(), StringComparison.Ordinal);

        var ops = OpTypes(Path.Combine(output, "model.onnx"));
        Assert.Equal(2, ops.Count(o => o == "GroupQueryAttention"));
        Assert.Contains("SimplifiedLayerNormalization", ops);
        Assert.Equal(int4 ? 0 : 11, ops.Count(o => o == "MatMul"));
        Assert.Equal(int4 ? 11 : 0, ops.Count(o => o == "MatMulNBits"));
        Assert.Equal(modelType == "qwen2" ? 2 : 0, ops.Count(o => o == "Add"));
        Assert.DoesNotContain(Directory.GetDirectories(temp.Combine("out")), d => Path.GetFileName(d).StartsWith('.'));
    }

    [Fact]
    public async Task Building_twice_gives_identical_bytes()
    {
        using var temp = new TempDirectory();
        var source = temp.Combine("hf");
        HuggingFaceFolderFixture.Write(source, new HuggingFaceFolderFixture.Options());
        await ModelBuilder.BuildFromHuggingFaceAsync(source, temp.Combine("a"), int4: true);
        await ModelBuilder.BuildFromHuggingFaceAsync(source, temp.Combine("b"), int4: true);
        foreach (var file in Directory.GetFiles(temp.Combine("a")))
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(temp.Combine("b", Path.GetFileName(file))));
        }
    }

    [Fact]
    public async Task A_folder_without_a_tokenizer_is_rejected_and_nothing_is_written()
    {
        using var temp = new TempDirectory();
        var source = temp.Combine("hf");
        HuggingFaceFolderFixture.Write(source, new HuggingFaceFolderFixture.Options(WriteTokenizer: false));
        var output = temp.Combine("models", "x");
        var error = await Assert.ThrowsAsync<ModelBuildException>(() => ModelBuilder.BuildFromHuggingFaceAsync(source, output, false));
        Assert.Contains("tokenizer.json", error.Message, StringComparison.Ordinal);
        AssertNothingWritten(temp.Combine("models"));
    }

    [Fact]
    public async Task Missing_tensors_are_named()
    {
        using var temp = new TempDirectory();
        var source = temp.Combine("hf");
        HuggingFaceFolderFixture.Write(source, new HuggingFaceFolderFixture.Options());
        File.Delete(Path.Combine(source, "model-00002-of-00002.safetensors"));
        var error = await Assert.ThrowsAsync<ModelBuildException>(() => ModelBuilder.BuildFromHuggingFaceAsync(source, temp.Combine("models", "x"), false));
        Assert.Contains("is missing", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        AssertNothingWritten(temp.Combine("models"));
    }

    [Theory]
    [InlineData("{\"model_type\": \"gpt2\"}", "Unsupported architecture 'gpt2'")]
    [InlineData("{\"model_type\": \"llama\", \"hidden_size\": 64}", "lacks")]
    [InlineData("{\"model_type\": \"llama\", \"hidden_size\": 64, \"intermediate_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 4, \"vocab_size\": 10, \"rope_scaling\": {\"type\": \"yarn\"}}", "rope_scaling")]
    [InlineData("not json", "not valid JSON")]
    public async Task Unsupported_configs_are_rejected(string configJson, string expected)
    {
        using var temp = new TempDirectory();
        var source = temp.Combine("hf");
        HuggingFaceFolderFixture.Write(source, new HuggingFaceFolderFixture.Options());
        File.WriteAllText(Path.Combine(source, "config.json"), configJson);
        var error = await Assert.ThrowsAsync<ModelBuildException>(() => ModelBuilder.BuildFromHuggingFaceAsync(source, temp.Combine("models", "x"), false));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        AssertNothingWritten(temp.Combine("models"));
    }

    [Fact]
    public async Task An_existing_output_folder_is_kept_unless_overwrite_is_asked()
    {
        using var temp = new TempDirectory();
        var source = temp.Combine("hf");
        HuggingFaceFolderFixture.Write(source, new HuggingFaceFolderFixture.Options());
        var output = temp.Combine("models", "x");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep.txt"), "mine");
        await Assert.ThrowsAsync<ModelBuildException>(() => ModelBuilder.BuildFromHuggingFaceAsync(source, output, false));
        Assert.True(File.Exists(Path.Combine(output, "keep.txt")));

        await ModelBuilder.BuildFromHuggingFaceAsync(source, output, false, overwrite: true);
        Assert.False(File.Exists(Path.Combine(output, "keep.txt")));
        Assert.True(File.Exists(Path.Combine(output, "model.onnx")));
        Assert.Single(Directory.GetDirectories(temp.Combine("models")));
    }

    [NeedsSharedFact("models/llama2c-stories260K")]
    public async Task Builds_stories260K_and_rejects_a_truncated_copy()
    {
        using var temp = new TempDirectory();
        var dir = SharedTestData.PathOf("models/llama2c-stories260K");
        var output = temp.Combine("models", "stories");
        var result = await ModelBuilder.BuildFromLlama2CAsync(Path.Combine(dir, "stories260K.bin"), Path.Combine(dir, "tok512.bin"), output, int4: false);
        Assert.Equal(512, result.Architecture.VocabularySize);
        var ops = OpTypes(Path.Combine(output, "model.onnx"));
        Assert.Equal(10, ops.Count(o => o == "RotaryEmbedding"));
        Assert.Equal(5, ops.Count(o => o == "GroupQueryAttention"));

        var truncated = temp.Combine("truncated.bin");
        var bytes = File.ReadAllBytes(Path.Combine(dir, "stories260K.bin"));
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var error = await Assert.ThrowsAsync<ModelBuildException>(() => ModelBuilder.BuildFromLlama2CAsync(truncated, Path.Combine(dir, "tok512.bin"), temp.Combine("models", "bad"), false));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Equal([output], Directory.GetDirectories(temp.Combine("models")));
    }

    [Fact]
    public async Task Cancellation_leaves_nothing_behind()
    {
        using var temp = new TempDirectory();
        var source = temp.Combine("hf");
        HuggingFaceFolderFixture.Write(source, new HuggingFaceFolderFixture.Options());
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ModelBuilder.BuildFromHuggingFaceAsync(source, temp.Combine("models", "x"), false, cancellationToken: cancellation.Token));
        Assert.False(Directory.Exists(temp.Combine("models", "x")));
    }

    private static void AssertNothingWritten(string modelsDirectory)
    {
        if (Directory.Exists(modelsDirectory))
        {
            Assert.Empty(Directory.EnumerateFileSystemEntries(modelsDirectory));
        }
    }

    internal static List<string> OpTypes(string modelPath)
    {
        var model = OnnxModelWriterTests.Decode(File.ReadAllBytes(modelPath));
        var graph = OnnxModelWriterTests.Decode((byte[])model[7].Single());
        return graph[1].Select(n => OnnxModelWriterTests.Text(OnnxModelWriterTests.Decode((byte[])n)[4].Single())).ToList();
    }
}
