namespace AkashML.Inference.Tokenizers.Models;

/// <summary>WordLevel: each piece is one vocabulary entry, or the unknown token.</summary>
internal sealed class WordLevelModel(Dictionary<string, int> vocab, string? unkToken) : ITokenizerModel
{
    private readonly string?[] _idToToken = VocabularyTable.Invert(vocab);

    public int VocabularyCount => vocab.Count;

    public IEnumerable<KeyValuePair<string, int>> Vocabulary => vocab;

    public int? TokenToId(string token) => vocab.TryGetValue(token, out var id) ? id : null;

    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    public void Tokenize(string piece, List<int> ids, List<string?>? surfaces)
    {
        var before = ids.Count;
        TokenizeIds(piece, ids);
        for (var i = before; surfaces is not null && i < ids.Count; i++)
        {
            surfaces.Add(null);
        }
    }

    private void TokenizeIds(string piece, List<int> ids)
    {
        if (vocab.TryGetValue(piece, out var id))
        {
            ids.Add(id);
        }
        else if (unkToken is not null && vocab.TryGetValue(unkToken, out var unk))
        {
            ids.Add(unk);
        }
        else
        {
            throw new TokenizerFormatException($"WordLevel: '{piece}' is not in the vocabulary and there is no usable unknown token.");
        }
    }
}
