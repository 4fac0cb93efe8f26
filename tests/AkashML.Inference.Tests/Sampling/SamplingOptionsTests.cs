using AkashML.Inference.Generation.Sampling;

namespace AkashML.Inference.Tests.Sampling;

public sealed class SamplingOptionsTests
{
    public static TheoryData<SamplingOptions, string> InvalidOptions => new()
    {
        { new SamplingOptions { Temperature = -0.1f }, "temperature" },
        { new SamplingOptions { Temperature = 2.01f }, "temperature" },
        { new SamplingOptions { Temperature = float.NaN }, "temperature" },
        { new SamplingOptions { TopP = 0f }, "top_p" },
        { new SamplingOptions { TopP = 1.5f }, "top_p" },
        { new SamplingOptions { TopK = -1 }, "top_k" },
        { new SamplingOptions { MinP = -0.01f }, "min_p" },
        { new SamplingOptions { MinP = 1.01f }, "min_p" },
        { new SamplingOptions { FrequencyPenalty = 2.5f }, "frequency_penalty" },
        { new SamplingOptions { PresencePenalty = -2.5f }, "presence_penalty" },
        { new SamplingOptions { RepetitionPenalty = 0f }, "repetition_penalty" },
        { new SamplingOptions { RepetitionPenalty = float.PositiveInfinity }, "repetition_penalty" },
        { new SamplingOptions { TopLogprobs = 21 }, "top_logprobs" },
        { new SamplingOptions { TopLogprobs = -1 }, "top_logprobs" },
        { new SamplingOptions { LogitBias = new Dictionary<int, float> { [3] = 100.5f } }, "logit_bias" },
        { new SamplingOptions { LogitBias = new Dictionary<int, float> { [-1] = 1f } }, "logit_bias" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_rejects_out_of_range_values_naming_the_parameter(SamplingOptions options, string parameter)
    {
        var error = Assert.Throws<InvalidSamplingOptionsException>(options.Validate);

        Assert.Equal(parameter, error.ParamName);
        Assert.StartsWith(parameter, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_accepts_the_edges_of_every_range()
    {
        var options = new SamplingOptions
        {
            Temperature = 2f,
            TopP = 1f,
            TopK = 0,
            MinP = 1f,
            FrequencyPenalty = -2f,
            PresencePenalty = 2f,
            RepetitionPenalty = 0.01f,
            TopLogprobs = 20,
            Seed = long.MinValue,
            LogitBias = new Dictionary<int, float> { [0] = -100f, [1] = 100f },
        };

        options.Validate(vocabularySize: 2);
        SamplingOptions.Greedy.Validate();
        new SamplingOptions().Validate();
    }

    [Fact]
    public void Validate_with_vocabulary_rejects_bias_on_unknown_token()
    {
        var options = new SamplingOptions { LogitBias = new Dictionary<int, float> { [32000] = 5f } };

        var error = Assert.Throws<InvalidSamplingOptionsException>(() => options.Validate(vocabularySize: 32000));

        Assert.Equal("logit_bias", error.ParamName);
        Assert.Contains("32000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Selector_validates_options_on_construction()
    {
        var error = Assert.Throws<InvalidSamplingOptionsException>(
            () => new TokenSelector(new SamplingOptions { TopP = 0f }, vocabularySize: 10));

        Assert.Equal("top_p", error.ParamName);
    }

    [Fact]
    public void Selector_rejects_top_logprobs_out_of_range_per_call()
    {
        var selector = new TokenSelector(SamplingOptions.Greedy, vocabularySize: 4);

        var error = Assert.Throws<InvalidSamplingOptionsException>(() => selector.Select(new float[4], topLogprobs: 21));

        Assert.Equal("top_logprobs", error.ParamName);
    }
}
