using System.Text.Json;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>Vectors produced with Python transformers, shipped by huggingface/swift-transformers (../shared/tokenizers/_reference_vectors).</summary>
public sealed class SwiftTransformersVectorsTests
{
    [NeedsSharedTheory("tokenizers")]
    [InlineData("bert-base-uncased", "bert-base-uncased")]
    [InlineData("google-bert/bert-base-uncased", "bert-base-uncased")]
    [InlineData("distilgpt2", "gpt2")]
    [InlineData("coreml-projects/Llama-2-7b-chat-coreml", "llama-2")]
    [InlineData("tiiuae/falcon-7b", "falcon-7b")]
    [InlineData("t5-base", "t5-small")]
    public void Short_inputs_encode_to_the_transformers_ids(string key, string folder)
    {
        var tokenizer = TokenizerTestData.Load(Path.Combine("tokenizers", folder));
        using var vectors = TokenizerTestData.ReadJson("tokenizers", "_reference_vectors", "swift-transformers", "tokenizer_tests.json");
        var cases = vectors.RootElement.GetProperty(key).EnumerateArray().ToList();
        Assert.NotEmpty(cases);
        foreach (var c in cases)
        {
            var input = c.GetProperty("input").GetString()!;
            var expected = TokenizerTestData.Ints(c.GetProperty("encoded").GetProperty("input_ids"));
            Assert.True(expected.SequenceEqual(tokenizer.Encode(input, addSpecialTokens: true)), $"{key}: {input}");
        }
    }

    [NeedsSharedTheory("tokenizers")]
    [InlineData("gpt2_encoded_tokens.json", "gpt2", false)]
    [InlineData("llama_encoded.json", "llama-2", true)]
    [InlineData("falcon_encoded.json", "falcon-7b", true)]
    [InlineData("t5_base_encoded.json", "t5-small", true)]
    [InlineData("bert_uncased_encoded.json", "bert-base-uncased", true)]
    public void Long_french_text_matches_ids_and_tokens(string file, string folder, bool idsIncludeSpecialTokens)
    {
        var tokenizer = TokenizerTestData.Load(Path.Combine("tokenizers", folder));
        using var vector = TokenizerTestData.ReadJson("tokenizers", "_reference_vectors", "swift-transformers", file);
        var root = vector.RootElement;
        var text = root.GetProperty("text").GetString()!;
        var expectedIds = TokenizerTestData.Ints(root.GetProperty(root.TryGetProperty("token_ids", out _) ? "token_ids" : "encoded_text"));

        var detailed = tokenizer.EncodeDetailed(text, addSpecialTokens: idsIncludeSpecialTokens);
        Assert.Equal(expectedIds, detailed.Ids);
        var bpeTokens = root.GetProperty("bpe_tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        var withoutSpecial = tokenizer.EncodeDetailed(text).Tokens;
        Assert.Equal(bpeTokens, withoutSpecial);
    }
}
