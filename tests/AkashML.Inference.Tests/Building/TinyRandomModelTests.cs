using System.Text.Json;
using AkashML.Inference.Building.TinyRandom;

namespace AkashML.Inference.Tests.Building;

public sealed class TinyRandomModelTests
{
    [Fact]
    public async Task Builds_the_same_bytes_every_time()
    {
        using var temp = new TempDirectory();
        var first = temp.Combine("data", "models", "akashml", "tiny-random");
        var second = temp.Combine("other");
        await TinyRandomModel.BuildAsync(first, CancellationToken.None);
        Assert.True(TinyRandomModel.IsBuilt(first));
        await TinyRandomModel.BuildAsync(second, CancellationToken.None);
        var files = Directory.GetFiles(first).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["genai_config.json", "model.onnx", "model.onnx.data", "tokenizer.json", "tokenizer_config.json"], files);
        foreach (var file in files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));
        }

        // Rebuilding over an existing model replaces it atomically and leaves no staging folders.
        await TinyRandomModel.BuildAsync(first, CancellationToken.None);
        Assert.Single(Directory.GetDirectories(temp.Combine("data", "models", "akashml")));
    }

    [Fact]
    public async Task Has_a_long_context_a_chat_template_and_special_tokens()
    {
        using var temp = new TempDirectory();
        var result = await TinyRandomModel.BuildAsync(temp.Path, CancellationToken.None);
        Assert.True(result.Architecture.ContextLength >= 32768);
        using var config = JsonDocument.Parse(File.ReadAllBytes(temp.Combine("genai_config.json")));
        var vocab = config.RootElement.GetProperty("model").GetProperty("vocab_size").GetInt32();
        using var tokenizer = JsonDocument.Parse(File.ReadAllBytes(temp.Combine("tokenizer.json")));
        var added = tokenizer.RootElement.GetProperty("added_tokens").EnumerateArray().ToDictionary(t => t.GetProperty("content").GetString()!, t => t.GetProperty("id").GetInt32());
        Assert.Equal(TinyRandomModel.SpecialTokens, added.Keys);
        Assert.Equal(vocab - 1, added[TinyRandomModel.MessageEnd]);
        Assert.Equal(vocab - 4, tokenizer.RootElement.GetProperty("model").GetProperty("vocab").EnumerateObject().Count());
        Assert.Contains(added[TinyRandomModel.MessageEnd], config.RootElement.GetProperty("model").GetProperty("eos_token_id").EnumerateArray().Select(e => e.GetInt32()));
        using var tokenizerConfig = JsonDocument.Parse(File.ReadAllBytes(temp.Combine("tokenizer_config.json")));
        Assert.Contains("<|im_start|>", tokenizerConfig.RootElement.GetProperty("chat_template").GetString(), StringComparison.Ordinal);
    }
}
