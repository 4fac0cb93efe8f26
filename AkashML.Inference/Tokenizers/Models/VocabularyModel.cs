namespace AkashML.Inference.Tokenizers.Models;

/// <summary>
/// What the string-to-id models (BPE, WordPiece, WordLevel) share: the vocabulary, its inverse, and tokenization that
/// reports no surface strings of its own (the pre-tokenized piece is the surface).
/// </summary>
internal abstract class VocabularyModel(Dictionary<string, int> vocab) : ITokenizerModel
{
    private readonly string?[] _idToToken = VocabularyTable.Invert(vocab);

    protected Dictionary<string, int> Vocab { get; } = vocab;

    public int VocabularyCount => Vocab.Count;

    public IEnumerable<KeyValuePair<string, int>> Vocabulary => Vocab;

    public int? TokenToId(string token) => Vocab.TryGetValue(token, out var id) ? id : null;

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

    /// <summary>Appends the ids of one pre-tokenized piece.</summary>
    protected abstract void TokenizeIds(string piece, List<int> ids);
}
