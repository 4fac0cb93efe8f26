using AkashML.Inference.Tokenizers;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Tokenizers;

public sealed class TokenizerConfigTests
{
    [Fact]
    public void Reads_token_objects_flags_and_named_templates()
    {
        var config = TokenizerConfig.FromJson("""
            {
              "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false},
              "eos_token": "</s>",
              "pad_token": null,
              "add_bos_token": true,
              "add_eos_token": false,
              "model_max_length": 1000000000000000019884624838656,
              "chat_template": [
                {"name": "default", "template": "{{ messages }}"},
                {"name": "tool_use", "template": "{{ tools }}"}
              ]
            }
            """);
        Assert.Equal("<s>", config.BosToken);
        Assert.Equal("</s>", config.EosToken);
        Assert.Null(config.PadToken);
        Assert.True(config.AddBosToken);
        Assert.False(config.AddEosToken);
        Assert.Null(config.ModelMaxLength);
        Assert.Equal("{{ messages }}", config.ChatTemplate);
        Assert.Equal("{{ tools }}", config.ChatTemplates["tool_use"]);
    }

    [Fact]
    public void A_string_template_is_the_default()
    {
        var config = TokenizerConfig.FromJson("""{"chat_template": "x", "model_max_length": 4096}""");
        Assert.Equal("x", config.ChatTemplate);
        Assert.Equal("x", config.ChatTemplates["default"]);
        Assert.Equal(4096, config.ModelMaxLength);
    }

    [Theory]
    [InlineData("""{"chat_template": 3}""")]
    [InlineData("""{"chat_template": [{"name": "a"}]}""")]
    [InlineData("""{"bos_token": 5}""")]
    [InlineData("""not json""")]
    public void Malformed_configs_are_rejected(string json) =>
        Assert.Throws<TokenizerFormatException>(() => TokenizerConfig.FromJson(json));

    [NeedsSharedFact("tokenizers")]
    public void Phi3_config_beside_the_tokenizer_is_loaded()
    {
        var tokenizer = HuggingFaceTokenizer.FromFile(TokenizerTestData.SharedPath("tokenizers", "phi-3-mini-4k-instruct", "tokenizer.json"));
        Assert.Equal("<|endoftext|>", tokenizer.Config.EosToken);
        Assert.False(tokenizer.Config.AddBosToken);
        Assert.Contains("<|assistant|>", tokenizer.Config.ChatTemplate, StringComparison.Ordinal);
        Assert.Equal(32007, tokenizer.TokenToId("<|end|>"));
    }
}
