using System.Text;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>
/// 50 KB of text in one call, truncation and padding off: Llama 2 has no pre-tokenizer, so the whole text is one BPE
/// word of 50,000 symbols. How fast that goes is measured by <c>bench tokenizer</c> (bench/AkashML.Bench), not here.
/// </summary>
public sealed class LongTextTests
{
    [NeedsSharedTheory("tokenizers")]
    [InlineData("tokenizers/gpt2", true)]
    [InlineData("tokenizers/llama-2", true)]
    [InlineData("tokenizers/bert-base-uncased", false)]
    [InlineData("tokenizers/t5-small", false)]
    public void Fifty_kb_of_english_encode_whole_and_lossless_tokenizers_give_it_back(string folder, bool lossless)
    {
        var tokenizer = TokenizerTestData.Load(folder).WithoutTruncationAndPadding();
        var text = EnglishText(50_000);

        var ids = tokenizer.Encode(text);

        Assert.True(ids.Count > 5_000, $"{ids.Count} tokens");
        Assert.Equal(ids, tokenizer.Encode(text));
        if (lossless)
        {
            Assert.Equal(text, tokenizer.Decode(ids));
        }
    }

    private static string EnglishText(int length)
    {
        string[] words =
        [
            "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "inference", "platform", "tokenizer",
            "model", "request", "latency", "throughput", "billing", "credits", "question", "answer", "because", "while",
            "although", "remarkable", "performance", "benchmark", "sentence", "paragraph", "language", "2024", "Hello",
        ];
        var random = new Random(42);
        var sb = new StringBuilder(length + 32);
        while (sb.Length < length)
        {
            sb.Append(words[random.Next(words.Length)]);
            sb.Append(random.Next(12) switch
            {
                0 => ". ",
                1 => ", ",
                2 => "\n",
                _ => " ",
            });
        }

        return sb.ToString(0, length);
    }
}
