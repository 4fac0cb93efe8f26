using AkashML.Inference.Tokenizers;

namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>Small hand-written tokenizer.json files for behaviour the real files do not reach, and for bad input.</summary>
public sealed class SyntheticTokenizerTests
{
    private const string WordPieceJson = """
        {
          "added_tokens": [{"id": 0, "content": "[UNK]", "special": true, "normalized": false, "lstrip": false, "rstrip": false, "single_word": false}],
          "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}, {"type": "Lowercase"}]},
          "pre_tokenizer": {"type": "Whitespace"},
          "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 6], "cls": ["[CLS]", 5]},
          "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
          "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 12,
                    "vocab": {"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "cafe": 4, "[CLS]": 5, "[SEP]": 6, "!": 7}}
        }
        """;

    private const string UnigramJson = """
        {
          "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
          "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
          "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": false,
                    "vocab": [["<unk>", 0.0], ["▁", -2.0], ["▁ab", -1.0], ["a", -3.0], ["b", -3.0], ["▁a", -2.5], ["c", -4.0], ["abc", -0.5]]}
        }
        """;

    [Fact]
    public void WordPiece_splits_greedily_and_falls_back_to_unknown()
    {
        var tokenizer = HuggingFaceTokenizer.FromJson(WordPieceJson);
        Assert.Equal([1, 2, 3], tokenizer.Encode("unaffable"));
        Assert.Equal([5, 4, 7, 6], tokenizer.Encode("Café!", addSpecialTokens: true));
        Assert.Equal([0], tokenizer.Encode("unknownword"));
        Assert.Equal([0], tokenizer.Encode("unaffableunaffable"));
        Assert.Equal("unaffable cafe!", tokenizer.Decode([1, 2, 3, 4, 7]));
        Assert.Equal(8, tokenizer.VocabularySize);
    }

    [Fact]
    public void Unigram_picks_the_best_segmentation_and_fuses_unknowns()
    {
        var tokenizer = HuggingFaceTokenizer.FromJson(UnigramJson);
        // "▁abc": "▁" + "abc" scores -2.5, better than "▁ab" + "c" (-5.0) and "▁a" + "b" + "c" (-9.5).
        Assert.Equal([1, 7], tokenizer.Encode("abc"));
        Assert.Equal([5, 0], tokenizer.Encode("axy"));
        Assert.Equal(["▁a", "xy"], tokenizer.EncodeDetailed("axy").Tokens);
        Assert.Equal("a<unk>", tokenizer.Decode([5, 0]));
        Assert.Equal("abc", tokenizer.Decode([1, 7]));
    }

    [Fact]
    public void Incremental_decoder_matches_full_decode_for_metaspace()
    {
        var tokenizer = HuggingFaceTokenizer.FromJson(UnigramJson);
        var ids = tokenizer.Encode("abc ab c");
        var decoder = tokenizer.CreateIncrementalDecoder();
        var text = string.Concat(ids.Select(decoder.Append)) + decoder.Flush();
        Assert.Equal(tokenizer.Decode(ids), text);
        Assert.Equal("abc ab c", text);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("{}", "'model'")]
    [InlineData("""{"model": {"type": "Mystery"}}""", "Unsupported model type 'Mystery'")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}}""", "not in the vocabulary")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a a a"]}}""", "two tokens")]
    [InlineData("""{"normalizer": {"type": "Nope"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "normalizer type 'Nope'")]
    [InlineData("""{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a"}, "behavior": "Isolated"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "(a")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {"a": "zero"}, "merges": []}}""", "wrong type")]
    public void Bad_files_get_a_clear_format_exception(string json, string messagePart)
    {
        var ex = Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizer.FromJson(json));
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_reported_with_its_path()
    {
        var dir = Path.Combine(Path.GetTempPath(), "akashml-no-tokenizer-" + Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<FileNotFoundException>(() => HuggingFaceTokenizer.FromDirectory(dir));
        Assert.Contains(dir, ex.Message, StringComparison.Ordinal);
    }
}
