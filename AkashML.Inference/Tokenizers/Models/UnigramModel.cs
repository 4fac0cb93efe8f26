using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace AkashML.Inference.Tokenizers.Models;

/// <summary>
/// SentencePiece Unigram: the segmentation with the highest total log-probability (Viterbi), unknown runs fused into
/// one unknown token, optional byte fallback.
/// </summary>
internal sealed class UnigramModel : ITokenizerModel
{
    private const double UnknownPenalty = 10.0;
    private const int CacheCapacity = 20_000;

    private readonly (string Piece, double Score)[] _pieces;
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int? _unkId;
    private readonly bool _byteFallback;
    private readonly double _unkScore;
    private readonly int _maxPieceLength;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    public UnigramModel((string Piece, double Score)[] pieces, int? unkId, bool byteFallback)
    {
        _pieces = pieces;
        _unkId = unkId;
        _byteFallback = byteFallback;
        if (unkId is { } u && (u < 0 || u >= pieces.Length))
        {
            throw new TokenizerFormatException($"Unigram unk_id {u} is outside the vocabulary (size {pieces.Length}).");
        }

        _vocab = new Dictionary<string, int>(pieces.Length, StringComparer.Ordinal);
        var minScore = double.MaxValue;
        for (var i = 0; i < pieces.Length; i++)
        {
            _vocab.TryAdd(pieces[i].Piece, i);
            minScore = Math.Min(minScore, pieces[i].Score);
            _maxPieceLength = Math.Max(_maxPieceLength, pieces[i].Piece.Length);
        }

        _lookup = _vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _unkScore = (pieces.Length == 0 ? 0 : minScore) - UnknownPenalty;
    }

    public int VocabularyCount => _pieces.Length;

    public IEnumerable<KeyValuePair<string, int>> Vocabulary => _vocab;

    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;

    public string? IdToToken(int id) => (uint)id < (uint)_pieces.Length ? _pieces[id].Piece : null;

    public void Tokenize(string piece, List<int> ids, List<string?>? surfaces)
    {
        if (piece.Length == 0)
        {
            return;
        }

        if (surfaces is null && _cache.TryGetValue(piece, out var cached))
        {
            ids.AddRange(cached);
            return;
        }

        var result = new List<int>();
        foreach (var segment in Segment(piece))
        {
            var before = result.Count;
            string? surface = null;
            if (_vocab.TryGetValue(segment, out var id))
            {
                result.Add(id);
            }
            else if (!(_byteFallback && TryAddBytes(segment, result)))
            {
                result.Add(_unkId ?? throw new TokenizerFormatException("The Unigram model needs an unk_id for text outside its vocabulary."));
                surface = segment;
            }

            for (var i = before; surfaces is not null && i < result.Count; i++)
            {
                surfaces.Add(surface);
            }
        }

        ids.AddRange(result);
        if (_cache.Count < CacheCapacity)
        {
            _cache.TryAdd(piece, [.. result]);
        }
    }

    private bool TryAddBytes(string segment, List<int> result)
    {
        var bytes = Encoding.UTF8.GetBytes(segment);
        var byteIds = new int[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            if (!_vocab.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"<0x{bytes[i]:X2}>"), out byteIds[i]))
            {
                return false;
            }
        }

        result.AddRange(byteIds);
        return true;
    }

    /// <summary>Viterbi over code-point boundaries; returns the best segmentation as strings.</summary>
    private List<string> Segment(string text)
    {
        var n = text.Length;
        var bestScore = new double[n + 1];
        var bestStart = new int[n + 1];
        var bestId = new int[n + 1];
        Array.Fill(bestStart, -1);
        var start = 0;
        while (start < n)
        {
            var charLength = char.IsHighSurrogate(text[start]) && start + 1 < n && char.IsLowSurrogate(text[start + 1]) ? 2 : 1;
            var baseScore = bestScore[start];
            var hasSingle = false;
            var maxLength = Math.Min(_maxPieceLength, n - start);
            for (var length = 1; length <= maxLength; length++)
            {
                var end = start + length;
                if (end < n && char.IsLowSurrogate(text[end]) && char.IsHighSurrogate(text[end - 1]))
                {
                    continue;
                }

                if (!_lookup.TryGetValue(text.AsSpan(start, length), out var id))
                {
                    continue;
                }

                var candidate = baseScore + _pieces[id].Score;
                if (bestStart[end] < 0 || candidate > bestScore[end])
                {
                    bestScore[end] = candidate;
                    bestStart[end] = start;
                    bestId[end] = id;
                }

                if (length == charLength)
                {
                    hasSingle = true;
                }
            }

            if (!hasSingle)
            {
                var end = start + charLength;
                var candidate = baseScore + _unkScore;
                if (bestStart[end] < 0 || candidate > bestScore[end])
                {
                    bestScore[end] = candidate;
                    bestStart[end] = start;
                    bestId[end] = _unkId ?? throw new TokenizerFormatException("The Unigram model needs an unk_id for text outside its vocabulary.");
                }
            }

            start += charLength;
        }

        // Walk back from the end, fusing consecutive unknown segments.
        var segments = new List<string>();
        var position = n;
        var unknownEnd = -1;
        while (position > 0)
        {
            var from = bestStart[position];
            if (_unkId is { } unk && bestId[position] == unk)
            {
                if (unknownEnd < 0)
                {
                    unknownEnd = position;
                }
            }
            else
            {
                if (unknownEnd >= 0)
                {
                    segments.Add(text[position..unknownEnd]);
                    unknownEnd = -1;
                }

                segments.Add(text[from..position]);
            }

            position = from;
        }

        if (unknownEnd >= 0)
        {
            segments.Add(text[..unknownEnd]);
        }

        segments.Reverse();
        return segments;
    }
}
