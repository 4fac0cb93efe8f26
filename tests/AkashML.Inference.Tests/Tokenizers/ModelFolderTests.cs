using AkashML.Inference.Tokenizers;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>The tokenizers of the GenAI-format model folders in ../shared/models load with their configuration.</summary>
public sealed class ModelFolderTests
{
    [NeedsSharedFact("models/tiny-random-LlamaForCausalLM-fp16")]
    public void Llama_folder_reads_tokenizer_config_and_adds_bos()
    {
        var tokenizer = HuggingFaceTokenizer.FromDirectory(SharedTestData.PathOf("models/tiny-random-LlamaForCausalLM-fp16"));
        Assert.Equal("<s>", tokenizer.Config.BosToken);
        Assert.Equal("</s>", tokenizer.Config.EosToken);
        Assert.True(tokenizer.Config.AddBosToken);
        Assert.Contains("[INST]", tokenizer.Config.ChatTemplate, StringComparison.Ordinal);
        Assert.Equal(2048, tokenizer.Config.ModelMaxLength);

        var ids = tokenizer.Encode("Hello world", addSpecialTokens: true);
        Assert.Equal(tokenizer.TokenToId("<s>"), ids[0]);
        Assert.Equal("Hello world", tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal(32000, tokenizer.VocabularySize);
    }

    [NeedsSharedFact("models/tiny-random-gpt2-fp32")]
    public void Gpt2_folder_has_space_run_tokens_and_no_post_processor_tokens()
    {
        var tokenizer = HuggingFaceTokenizer.FromDirectory(SharedTestData.PathOf("models/tiny-random-gpt2-fp32"));
        var ids = tokenizer.Encode("a" + new string(' ', 8) + "b");
        Assert.Contains(ids, id => tokenizer.IdToToken(id) == new string(' ', 8) || tokenizer.IdToToken(id) == new string(' ', 7));
        Assert.Equal(tokenizer.Encode("x"), tokenizer.Encode("x", addSpecialTokens: true));
        Assert.Equal("<|endoftext|>", tokenizer.IdToToken(50256));
        Assert.True(tokenizer.IsSpecialToken(50256));
    }

    [NeedsSharedFact("models/tiny-graph-capture-gqa")]
    public void Byte_vocabulary_without_merges_gives_added_tokens_ids_after_the_vocabulary()
    {
        var tokenizer = HuggingFaceTokenizer.FromDirectory(SharedTestData.PathOf("models/tiny-graph-capture-gqa"));
        Assert.Equal("<eos>", tokenizer.Config.EosToken);
        Assert.Equal([72, 105], tokenizer.Encode("Hi"));
        // The file says <pad> is id 0, but id 0 is the vocabulary's "<0>"; the reference numbers it after the vocabulary.
        Assert.Equal(256, tokenizer.TokenToId("<pad>"));
        Assert.Equal("<0>", tokenizer.IdToToken(0));
        Assert.Equal([72, 257], tokenizer.Encode("H<eos>"));
    }
}
