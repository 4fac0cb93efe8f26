using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>The reference outputs in ../shared/tokenizers/expected_encodings.json (npm tokenizers 0.23.2).</summary>
public sealed class ExpectedEncodingsTests
{
    [NeedsSharedTheory("tokenizers")]
    [InlineData("all-MiniLM-L6-v2")]
    [InlineData("bert-base-uncased")]
    [InlineData("clip-vit-base-patch32")]
    [InlineData("cohere-2023")]
    [InlineData("falcon-7b")]
    [InlineData("gpt-neox-20b")]
    [InlineData("gpt2")]
    [InlineData("llama-2")]
    [InlineData("phi-2")]
    [InlineData("phi-3-mini-4k-instruct")]
    [InlineData("roberta-base")]
    [InlineData("smollm-135m-finetune")]
    [InlineData("t5-small")]
    [InlineData("whisper-tiny")]
    public void Matches_reference_ids_tokens_and_decode(string name)
    {
        var tokenizer = TokenizerTestData.Load(Path.Combine("tokenizers", name));
        using var expected = TokenizerTestData.ReadJson("tokenizers", "expected_encodings.json");
        var entry = expected.RootElement.GetProperty("tokenizers").GetProperty(name);

        Assert.Equal(entry.GetProperty("vocab_size_with_added").GetInt32(), tokenizer.VocabularySize);
        var cases = entry.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(7, cases.Count);
        foreach (var c in cases)
        {
            var text = c.GetProperty("text").GetString()!;
            var ids = TokenizerTestData.Ints(c.GetProperty("ids"));

            Assert.True(ids.SequenceEqual(tokenizer.Encode(text)), $"{name}: ids of {text}");
            Assert.True(TokenizerTestData.Ints(c.GetProperty("ids_with_special")).SequenceEqual(tokenizer.Encode(text, addSpecialTokens: true)),
                $"{name}: ids with special tokens of {text}");
            var tokens = c.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToArray();
            Assert.Equal(tokens, tokenizer.EncodeDetailed(text).Tokens);
            Assert.Equal(c.GetProperty("decoded").GetString(), tokenizer.Decode(ids));
        }
    }
}
