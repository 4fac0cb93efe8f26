namespace AkashML.Inference.Tokenizers.Models;

/// <summary>WordLevel: each piece is one vocabulary entry, or the unknown token.</summary>
internal sealed class WordLevelModel(Dictionary<string, int> vocab, string? unkToken) : VocabularyModel(vocab)
{
    protected override void TokenizeIds(string piece, List<int> ids)
    {
        if (Vocab.TryGetValue(piece, out var id))
        {
            ids.Add(id);
        }
        else if (unkToken is not null && Vocab.TryGetValue(unkToken, out var unk))
        {
            ids.Add(unk);
        }
        else
        {
            throw new TokenizerFormatException($"WordLevel: '{piece}' is not in the vocabulary and there is no usable unknown token.");
        }
    }
}
