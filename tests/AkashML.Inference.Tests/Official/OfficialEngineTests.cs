using AkashML.Inference.Catalog;
using AkashML.Inference.Official;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;

namespace AkashML.Inference.Tests.Official;

/// <summary>The fallback engine: which models need it, that the host uses it, what it gives and what it refuses.</summary>
public sealed class OfficialEngineTests(OfficialEngineFixture fixture) : IClassFixture<OfficialEngineFixture>
{
    [Theory]
    [InlineData("""{"model":{"type":"llama","context_length":131072}}""", null)]
    [InlineData("""{"model":{"type":"phi3","context_length":4096}}""", null)]
    [InlineData("""{"model":{"type":"phi3","context_length":131072}}""", "long-rope switch at 4097 tokens")]
    [InlineData("""{"model":{"type":"phimoe","context_length":131072}}""", "long-rope switch at 4097 tokens")]
    [InlineData("""{"model":{"type":"phi3small","context_length":131072}}""", "long-rope switch at 8193 tokens")]
    [InlineData("""{"model":{"type":"lfm2","context_length":32768}}""", "LFM2")]
    [InlineData("""{"model":{"type":"llama","context_length":2048,"decoder":{"inputs":{"past_conv_names":"past_conv.%d"}}}}""", "past_conv_names")]
    [InlineData("""{"model":{"type":"llama","context_length":2048,"decoder":{"inputs":{"inputs_embeds":"inputs_embeds"}}}}""", "inputs_embeds")]
    public void The_config_tells_which_architectures_our_runtime_does_not_implement(string config, string? expected)
    {
        var path = Path.Combine(fixture.Root.FullName, $"config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, config);
        var problem = ArchitectureSupport.Problem(path);
        if (expected is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.Contains(expected, problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Our_runtime_refuses_the_phi3_folder_and_the_catalog_names_the_official_engine()
    {
        var error = Assert.Throws<UnsupportedArchitectureException>(() => Model.Load(fixture.Folder(OfficialEngineFixture.Phi3)));
        Assert.Contains("long-rope", error.Message, StringComparison.Ordinal);

        using var host = fixture.Host();
        Assert.Equal(ModelEngines.OnnxRuntimeGenAI, host.Find(OfficialEngineFixture.Phi3)!.Engine);
        Assert.Contains("long-rope", host.Find(OfficialEngineFixture.Phi3)!.EngineReason, StringComparison.Ordinal);
        Assert.Equal(ModelEngines.AkashML, host.Find(OfficialEngineFixture.Ours)!.Engine);
    }

    [Fact]
    public async Task The_host_serves_it_with_the_official_engine_and_the_same_greedy_text_as_ours_for_the_same_weights()
    {
        using var host = fixture.Host();
        var official = await host.GetAsync(OfficialEngineFixture.Phi3, CancellationToken.None);
        var ours = await host.GetAsync(OfficialEngineFixture.Ours, CancellationToken.None);
        Assert.IsType<OfficialTextModel>(official);
        Assert.IsType<TextModel>(ours);
        Assert.Equal(ModelEngines.OnnxRuntimeGenAI, official.Descriptor.Engine);

        var prompt = ours.EncodePrompt("Once upon a time there was a", isRenderedChat: false);
        var request = new GenerationRequest { PromptTokens = prompt, MaxNewTokens = 24, Temperature = 0, StopSequences = ["zz"] };
        var (officialText, officialIds, officialFinish) = await CollectAsync(official, request);
        var (ourText, ourIds, ourFinish) = await CollectAsync(ours, request);
        Assert.Equal(ourIds, officialIds);
        Assert.Equal(ourText, officialText);
        Assert.Equal(ourFinish, officialFinish);
    }

    [Fact]
    public async Task Seeded_sampling_repeats_and_n_choices_each_finish()
    {
        using var model = fixture.LoadOfficial(OfficialEngineFixture.Phi3);
        var request = new GenerationRequest { PromptTokens = [5, 6, 7], MaxNewTokens = 12, Temperature = 0.9, TopP = 0.95, TopK = 40, Seed = 42, N = 2 };
        var first = await AllAsync(model, request);
        var second = await AllAsync(model, request);
        Assert.Equal(first.Select(u => (u.ChoiceIndex, u.Text)), second.Select(u => (u.ChoiceIndex, u.Text)));
        Assert.Equal([0, 1], first.Where(u => u.FinishReason is not null).Select(u => u.ChoiceIndex));
    }

    [Theory]
    [InlineData("logprobs")]
    [InlineData("logit_bias")]
    [InlineData("frequency_penalty")]
    [InlineData("presence_penalty")]
    [InlineData("min_p")]
    [InlineData("response_format")]
    [InlineData("best_of")]
    public async Task What_the_official_search_cannot_do_is_refused_naming_the_parameter(string parameter)
    {
        using var model = fixture.LoadOfficial(OfficialEngineFixture.Phi3);
        var plain = new GenerationRequest { PromptTokens = [5, 6, 7], MaxNewTokens = 4, Temperature = 0 };
        var request = parameter switch
        {
            "logprobs" => plain with { TopLogprobs = 0 },
            "logit_bias" => plain with { LogitBias = new Dictionary<int, double> { [3] = 5 } },
            "frequency_penalty" => plain with { FrequencyPenalty = 0.5 },
            "presence_penalty" => plain with { PresencePenalty = 0.5 },
            "min_p" => plain with { MinP = 0.1 },
            "response_format" => plain with { JsonObject = true },
            "best_of" => plain with { BestOf = 3 },
            _ => throw new ArgumentOutOfRangeException(nameof(parameter)),
        };
        var error = Assert.Throws<UnsupportedGenerationFeatureException>(() => model.EnsureSupported(request));
        Assert.Equal(parameter, error.Parameter);
        Assert.Contains("official ONNX Runtime GenAI", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UnsupportedGenerationFeatureException>(async () => await AllAsync(model, request));
        model.EnsureSupported(plain);
    }

    private static async Task<(string Text, List<int> Ids, FinishReason? Finish)> CollectAsync(ITextModel model, GenerationRequest request)
    {
        var updates = await AllAsync(model, request);
        return (string.Concat(updates.Select(u => u.Text)), updates.SelectMany(u => u.TokenIds).ToList(), updates[^1].FinishReason);
    }

    private static async Task<List<GenerationUpdate>> AllAsync(ITextModel model, GenerationRequest request)
    {
        var updates = new List<GenerationUpdate>();
        await foreach (var update in model.GenerateAsync(request, CancellationToken.None))
        {
            updates.Add(update);
        }

        return updates;
    }
}
