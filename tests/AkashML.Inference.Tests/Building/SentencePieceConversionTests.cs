using AkashML.Inference.Building;
using AkashML.Inference.Building.TinyRandom;
using AkashML.Inference.Building.Tokenizers;
using AkashML.Inference.Tokenizers;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Building;

public sealed class SentencePieceConversionTests
{
    private static IEnumerable<string> SampleTexts()
    {
        yield return string.Empty;
        yield return "Once upon a time";
        yield return "Lily and Tom went to the park. They saw a big, red ball!";
        yield return "  two leading spaces, and trailing ones  ";
        yield return "Ünïcödé — “quotes” and emoji 🙂 and 中文 text";
        yield return "numbers 12345 and symbols #$%^&*()_+{}|:\"<>?";
        yield return "line one\nline two\ttabbed";
        // Not "<s>" or "</s>" inside text: llama2.c reads them as characters, Hugging Face (and we) as the special tokens.
        yield return "s> looks almost special but is text </";
        foreach (var line in TinyRandomModel.LoadCorpus().Split('\n'))
        {
            yield return line;
        }
    }

    [NeedsSharedFact("models/llama2c-stories260K")]
    public void Converted_tokenizer_tokenizes_like_llama2c()
    {
        var tokenizerBin = Path.Combine(SharedTestData.PathOf("models/llama2c-stories260K"), "tok512.bin");
        var vocabulary = SentencePieceVocabulary.ReadLlama2C(tokenizerBin, 512);
        var json = SentencePieceBpeConverter.CreateTokenizerJson(vocabulary, bosId: 1, unkId: 0);
        // Our tokenizer, held to Hugging Face's own outputs on real SentencePiece-style BPE files (TokenizerReferenceTests,
        // which also runs this converted file through the npm `tokenizers` when scripts/test.sh has built it).
        var converted = HuggingFaceTokenizer.FromJson(System.Text.Encoding.UTF8.GetString(json));
        var llama2c = new Llama2CEncoder(tokenizerBin, 512);

        var compared = 0;
        foreach (var text in SampleTexts())
        {
            Assert.Equal(llama2c.Encode(text, bos: true), converted.Encode(text, addSpecialTokens: true));
            compared++;
        }

        Assert.True(compared > 100);
    }

    [NeedsSharedFact("models/llama2c-stories260K")]
    public void Llama2c_bin_and_sentencepiece_model_give_the_same_tokenizer()
    {
        var fromBin = SentencePieceVocabulary.ReadLlama2C(Path.Combine(SharedTestData.PathOf("models/llama2c-stories260K"), "tok512.bin"), 512);
        var fromModel = SentencePieceVocabulary.ReadModelProto(Path.Combine(SharedTestData.PathOf("models/llama2c-stories260K"), "tok512.model"));
        Assert.Equal(512, fromModel.Count);
        Assert.Equal(PieceKind.Byte, fromModel.Pieces[3].Kind);
        Assert.Equal("<0x00>", fromModel.Pieces[3].Piece);
        Assert.Equal(
            SentencePieceBpeConverter.CreateTokenizerJson(fromBin, 1, 0),
            SentencePieceBpeConverter.CreateTokenizerJson(fromModel, 1, 0));
    }

    [Fact]
    public void Merges_rank_every_split_of_a_piece_by_the_piece_score()
    {
        var vocabulary = new SentencePieceVocabulary(
        [
            new("<unk>", 0, PieceKind.Unknown),
            new("<s>", 0, PieceKind.Control),
            new("</s>", 0, PieceKind.Control),
            new("ab", -2, PieceKind.Normal),
            new("abc", -1, PieceKind.Normal),
            new("bc", -3, PieceKind.Normal),
            new("a", -10, PieceKind.Normal),
            new("b", -11, PieceKind.Normal),
            new("c", -12, PieceKind.Normal),
        ]);
        var merges = SentencePieceBpeConverter.DeriveMerges(vocabulary);
        Assert.Equal([("a", "bc"), ("ab", "c"), ("a", "b"), ("b", "c")], merges);
    }

    [Fact]
    public void Bad_tokenizer_files_are_rejected()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("tok.bin");
        File.WriteAllBytes(path, [1, 2]);
        Assert.Throws<ModelBuildException>(() => SentencePieceVocabulary.ReadLlama2C(path, 10));
        File.WriteAllBytes(path, [7, 0, 0, 0, 0, 0, 0, 0, 200, 0, 0, 0]);
        Assert.Throws<ModelBuildException>(() => SentencePieceVocabulary.ReadLlama2C(path, 10));
        Assert.Throws<ModelBuildException>(() => SentencePieceVocabulary.ReadModelProto(path));
        Assert.Throws<ModelBuildException>(() => SentencePieceVocabulary.ReadLlama2C(temp.Combine("missing.bin"), 10));
    }
}
