namespace AkashML.Inference.Tokenizers.Models;

/// <summary>Turns one pre-tokenized piece into ids (BPE, WordPiece, Unigram, WordLevel).</summary>
internal interface ITokenizerModel
{
    /// <summary>
    /// Appends the ids of <paramref name="piece"/>. When <paramref name="surfaces"/> is given, appends one entry per id:
    /// null when the token string is the vocabulary entry, else the string the reference reports (Unigram reports
    /// unknown text as itself).
    /// </summary>
    void Tokenize(string piece, List<int> ids, List<string?>? surfaces);

    int? TokenToId(string token);

    string? IdToToken(int id);

    /// <summary>Number of vocabulary entries (the reference's model vocab size; added-token ids start here).</summary>
    int VocabularyCount { get; }

    /// <summary>Every (token, id) of the model vocabulary.</summary>
    IEnumerable<KeyValuePair<string, int>> Vocabulary { get; }
}
