namespace AkashML.Inference.Tokenizers;

/// <summary>Turns text into token ids and back, as a model's <c>tokenizer.json</c> defines it.</summary>
public interface ITokenizer
{
    /// <summary>Number of ids the tokenizer can produce (model vocabulary plus added tokens).</summary>
    int VocabularySize { get; }

    /// <summary>Encodes text. With <paramref name="addSpecialTokens"/> the post-processor's tokens (e.g. BOS) are added.</summary>
    IReadOnlyList<int> Encode(string text, bool addSpecialTokens = false);

    /// <summary>Decodes ids to text; <paramref name="skipSpecialTokens"/> drops special added tokens.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);

    /// <summary>The id of a token's exact string (vocabulary or added token), or null.</summary>
    int? TokenToId(string token);

    /// <summary>The vocabulary string of an id (as stored in the vocabulary, not decoded), or null.</summary>
    string? IdToToken(int id);

    /// <summary>Starts a streaming decoder that never emits half a UTF-8 character.</summary>
    IIncrementalDecoder CreateIncrementalDecoder(bool skipSpecialTokens = false);
}

/// <summary>Decodes a growing token sequence into text deltas.</summary>
public interface IIncrementalDecoder
{
    /// <summary>Adds one token and returns the newly complete text (possibly empty while a character is incomplete).</summary>
    string Append(int tokenId);

    /// <summary>Returns whatever text is still held back (an incomplete character becomes U+FFFD).</summary>
    string Flush();
}
