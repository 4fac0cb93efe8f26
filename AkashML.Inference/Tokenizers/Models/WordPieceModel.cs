namespace AkashML.Inference.Tokenizers.Models;

/// <summary>WordPiece: greedy longest-match-first; a word with any unmatched part becomes the unknown token.</summary>
internal sealed class WordPieceModel : VocabularyModel
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly string _unkToken;
    private readonly string _prefix;
    private readonly int _maxInputCharsPerWord;

    public WordPieceModel(Dictionary<string, int> vocab, string unkToken, string prefix, int maxInputCharsPerWord)
        : base(vocab)
    {
        _lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _unkToken = unkToken;
        _prefix = prefix;
        _maxInputCharsPerWord = maxInputCharsPerWord;
    }

    protected override void TokenizeIds(string piece, List<int> ids)
    {
        if (piece.Length == 0)
        {
            return;
        }

        var codePoints = 0;
        foreach (var c in piece)
        {
            if (!char.IsLowSurrogate(c))
            {
                codePoints++;
            }
        }

        if (codePoints > _maxInputCharsPerWord)
        {
            ids.Add(UnkId());
            return;
        }

        var firstNew = ids.Count;
        var start = 0;
        // Continuation candidates are prefix + substring; build them in one reusable buffer.
        var buffer = new char[_prefix.Length + piece.Length];
        _prefix.CopyTo(buffer);
        while (start < piece.Length)
        {
            var end = piece.Length;
            var found = -1;
            while (start < end)
            {
                var span = piece.AsSpan(start, end - start);
                int id;
                bool hit;
                if (start == 0)
                {
                    hit = _lookup.TryGetValue(span, out id);
                }
                else
                {
                    span.CopyTo(buffer.AsSpan(_prefix.Length));
                    hit = _lookup.TryGetValue(buffer.AsSpan(0, _prefix.Length + span.Length), out id);
                }
                if (hit)
                {
                    found = id;
                    break;
                }

                end -= end >= 2 && char.IsLowSurrogate(piece[end - 1]) && char.IsHighSurrogate(piece[end - 2]) ? 2 : 1;
            }

            if (found < 0)
            {
                ids.RemoveRange(firstNew, ids.Count - firstNew);
                ids.Add(UnkId());
                return;
            }

            ids.Add(found);
            start = end;
        }
    }

    private int UnkId() => Vocab.TryGetValue(_unkToken, out var id)
        ? id
        : throw new TokenizerFormatException($"The WordPiece unknown token '{_unkToken}' is not in the vocabulary.");
}
