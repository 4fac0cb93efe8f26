using System.Text;
using AkashML.Inference.Tokenizers;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>Byte-level and byte-fallback tokenizers must reproduce any text exactly, also when decoding token by token.</summary>
public sealed class RoundTripTests
{
    private static readonly string[] Texts =
    [
        "Hello, world!",
        "  leading spaces,\ttabs\nand newlines\r\n\r\n  ",
        "naïve café — déjà vu; 日本語のテキスト, 中文, 한국어, Ελληνικά, русский, العربية, עברית, हिन्दी, ภาษาไทย",
        "emoji 🤗🚀 family 👨‍👩‍👧 flag 🇯🇵 skin 👍🏽 ❤️ math 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟎𝟏",
        "def f(x):\n    return x ** 2  # comment\n\n\tprint(f\"{x!r}\")\n",
        "e\u0301 ﬁ ＡＢＣ ① x² \u200b\ufeff",
        "<|endoftext|> inside text <|endoftext|>",
        "",
        "     ",
    ];

    [NeedsSharedTheory("tokenizers")]
    [InlineData("tokenizers/gpt2", false)]
    [InlineData("tokenizers/roberta-base", false)]
    [InlineData("tokenizers/phi-2", false)]
    [InlineData("tokenizers/falcon-7b", false)]
    [InlineData("tokenizers/whisper-tiny", false)]
    [InlineData("tokenizers/smollm-135m-finetune", false)]
    [InlineData("models/tiny-random-gpt2-fp32", false)]
    [InlineData("tokenizers/cohere-2023", true)]
    [InlineData("tokenizers/gpt-neox-20b", true)]
    public void Byte_level_bpe_round_trips_exactly(string folder, bool appliesNfc)
    {
        var tokenizer = TokenizerTestData.Load(folder).WithoutTruncationAndPadding();
        foreach (var text in Texts)
        {
            var ids = tokenizer.Encode(text);
            var expected = appliesNfc ? text.Normalize(NormalizationForm.FormC) : text;
            Assert.Equal(expected, tokenizer.Decode(ids));
            Assert.Equal(expected, DecodeIncrementally(tokenizer, ids));
        }
    }

    [NeedsSharedTheory("tokenizers")]
    [InlineData("tokenizers/llama-2")]
    [InlineData("tokenizers/phi-3-mini-4k-instruct")]
    [InlineData("models/tiny-random-LlamaForCausalLM-fp16")]
    public void Byte_fallback_bpe_round_trips_without_the_leading_space(string folder)
    {
        var tokenizer = TokenizerTestData.Load(folder);
        foreach (var text in Texts)
        {
            if (text.Contains("<|endoftext|>", StringComparison.Ordinal) || text.StartsWith(' '))
            {
                continue;
            }

            var ids = tokenizer.Encode(text);
            Assert.Equal(text, tokenizer.Decode(ids));
            Assert.Equal(text, DecodeIncrementally(tokenizer, ids));
        }
    }

    [NeedsSharedFact("tokenizers")]
    public void Emoji_split_across_tokens_is_never_emitted_in_halves()
    {
        var tokenizer = TokenizerTestData.Load("tokenizers/gpt2");
        var ids = tokenizer.Encode(" 🤗");
        Assert.True(ids.Count >= 2, "the emoji should take several byte-level tokens");
        var decoder = tokenizer.CreateIncrementalDecoder();
        var pieces = ids.Select(decoder.Append).ToList();
        Assert.All(pieces.SkipLast(1), p => Assert.Equal(string.Empty, p));
        Assert.Equal(" 🤗", pieces[^1]);
        Assert.Equal(string.Empty, decoder.Flush());
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD', StringComparison.Ordinal));
    }

    [NeedsSharedFact("tokenizers")]
    public void Byte_fallback_emoji_is_held_until_complete_and_flush_reports_an_incomplete_tail()
    {
        var tokenizer = TokenizerTestData.Load("tokenizers/llama-2");
        var ids = tokenizer.Encode("Hi 🤗");
        Assert.Contains(tokenizer.TokenToId("<0xF0>")!.Value, ids);
        var decoder = tokenizer.CreateIncrementalDecoder();
        var emitted = new StringBuilder();
        foreach (var id in ids.Take(ids.Count - 1))
        {
            var piece = decoder.Append(id);
            Assert.DoesNotContain('\uFFFD', piece);
            emitted.Append(piece);
        }

        Assert.Equal("Hi ", emitted.ToString());
        Assert.Equal("\uFFFD", decoder.Flush()[^1..]);
    }

    [NeedsSharedFact("tokenizers")]
    public void Incremental_decoding_equals_full_decoding_for_metaspace_and_wordpiece()
    {
        foreach (var folder in new[] { "tokenizers/t5-small", "tokenizers/bert-base-uncased", "tokenizers/clip-vit-base-patch32" })
        {
            var tokenizer = TokenizerTestData.Load(folder).WithoutTruncationAndPadding();
            foreach (var text in Texts)
            {
                var ids = tokenizer.Encode(text, addSpecialTokens: true);
                Assert.Equal(tokenizer.Decode(ids), DecodeIncrementally(tokenizer, ids));
                Assert.Equal(tokenizer.Decode(ids, skipSpecialTokens: true), DecodeIncrementally(tokenizer, ids, skipSpecialTokens: true));
            }
        }
    }

    private static string DecodeIncrementally(ITokenizer tokenizer, IReadOnlyList<int> ids, bool skipSpecialTokens = false)
    {
        var decoder = tokenizer.CreateIncrementalDecoder(skipSpecialTokens);
        var sb = new StringBuilder();
        foreach (var id in ids)
        {
            var piece = decoder.Append(id);
            Assert.False(piece.Length > 0 && char.IsHighSurrogate(piece[^1]), "emitted half a surrogate pair");
            sb.Append(piece);
        }

        return sb.Append(decoder.Flush()).ToString();
    }
}
