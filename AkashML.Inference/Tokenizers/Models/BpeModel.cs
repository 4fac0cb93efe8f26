using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace AkashML.Inference.Tokenizers.Models;

/// <summary>Options of the BPE model as stored in tokenizer.json.</summary>
internal sealed record BpeOptions(
    string? UnkToken,
    string? ContinuingSubwordPrefix,
    string? EndOfWordSuffix,
    bool FuseUnk,
    bool ByteFallback,
    bool IgnoreMerges);

/// <summary>
/// Byte-pair encoding: start from single characters (with optional byte fallback) and apply the lowest-ranked
/// merge first, using a priority queue over adjacent pairs. Results are cached per piece.
/// </summary>
internal sealed class BpeModel : VocabularyModel
{
    private const int CacheCapacity = 20_000;
    private const int MaxCachedPieceLength = 256;

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<long, (int Rank, int NewId)> _merges;
    private readonly BpeOptions _options;
    private readonly int _unkId;
    private readonly int[] _byteIds;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, BpeOptions options)
        : base(vocab)
    {
        _lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _options = options;
        _unkId = -1;
        if (options.UnkToken is not null && vocab.TryGetValue(options.UnkToken, out var unk))
        {
            _unkId = unk;
        }

        _byteIds = new int[256];
        for (var b = 0; b < 256; b++)
        {
            _byteIds[b] = vocab.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"), out var id) ? id : -1;
        }

        var prefixLength = options.ContinuingSubwordPrefix?.Length ?? 0;
        _merges = new Dictionary<long, (int, int)>(merges.Count, PairComparer.Instance);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!vocab.TryGetValue(left, out var leftId) || !vocab.TryGetValue(right, out var rightId))
            {
                throw new TokenizerFormatException($"BPE merge {rank + 1} ('{left}' '{right}') uses a token that is not in the vocabulary.");
            }

            var merged = left + (right.Length >= prefixLength ? right[prefixLength..] : right);
            if (!vocab.TryGetValue(merged, out var newId))
            {
                throw new TokenizerFormatException($"BPE merge {rank + 1} produces '{merged}', which is not in the vocabulary.");
            }

            _merges[PairKey(leftId, rightId)] = (rank, newId);
        }
    }

    protected override void TokenizeIds(string piece, List<int> ids)
    {
        if (piece.Length == 0)
        {
            return;
        }

        if (_options.IgnoreMerges && Vocab.TryGetValue(piece, out var whole))
        {
            ids.Add(whole);
            return;
        }

        if (_cache.TryGetValue(piece, out var cached))
        {
            ids.AddRange(cached);
            return;
        }

        var result = MergeWord(piece);
        ids.AddRange(result);
        if (piece.Length < MaxCachedPieceLength && _cache.Count < CacheCapacity)
        {
            _cache.TryAdd(piece, result);
        }
    }

    private static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    private int[] MergeWord(string word)
    {
        var symbols = InitialSymbols(word);
        var count = symbols.Count;
        if (count < 2 || _merges.Count == 0)
        {
            return [.. symbols];
        }

        var ids = symbols.ToArray();
        var prev = new int[count];
        var next = new int[count];
        var removed = new bool[count];
        for (var i = 0; i < count; i++)
        {
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }

        var queue = new PriorityQueue<(int Pos, int NewId), long>(count);
        for (var i = 0; i + 1 < count; i++)
        {
            if (_merges.TryGetValue(PairKey(ids[i], ids[i + 1]), out var m))
            {
                queue.Enqueue((i, m.NewId), Priority(m.Rank, i));
            }
        }

        while (queue.TryDequeue(out var top, out _))
        {
            var pos = top.Pos;
            if (removed[pos] || next[pos] < 0)
            {
                continue;
            }

            var right = next[pos];
            if (!_merges.TryGetValue(PairKey(ids[pos], ids[right]), out var current) || current.NewId != top.NewId)
            {
                continue;
            }

            ids[pos] = top.NewId;
            removed[right] = true;
            next[pos] = next[right];
            if (next[right] >= 0)
            {
                prev[next[right]] = pos;
            }

            if (prev[pos] >= 0 && _merges.TryGetValue(PairKey(ids[prev[pos]], ids[pos]), out var before))
            {
                queue.Enqueue((prev[pos], before.NewId), Priority(before.Rank, prev[pos]));
            }

            if (next[pos] >= 0 && _merges.TryGetValue(PairKey(ids[pos], ids[next[pos]]), out var after))
            {
                queue.Enqueue((pos, after.NewId), Priority(after.Rank, pos));
            }
        }

        var result = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            if (!removed[i])
            {
                result.Add(ids[i]);
            }
        }

        return [.. result];
    }

    private static long Priority(int rank, int pos) => ((long)rank << 32) | (uint)pos;

    /// <summary>One symbol per character (prefix/suffix applied), with byte fallback and unknown-token handling.</summary>
    private List<int> InitialSymbols(string word)
    {
        var symbols = new List<int>(word.Length);
        var pendingUnk = false;
        var prefix = _options.ContinuingSubwordPrefix;
        var suffix = _options.EndOfWordSuffix;
        Span<byte> utf8 = stackalloc byte[64];
        var i = 0;
        while (i < word.Length)
        {
            var length = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            var isFirst = i == 0;
            var isLast = i + length == word.Length;
            var s = word.AsSpan(i, length);
            if ((!isFirst && !string.IsNullOrEmpty(prefix)) || (isLast && !string.IsNullOrEmpty(suffix)))
            {
                s = string.Concat(isFirst ? string.Empty : prefix, s, isLast ? suffix : string.Empty);
            }

            i += length;
            if (_lookup.TryGetValue(s, out var id))
            {
                if (pendingUnk)
                {
                    symbols.Add(_unkId);
                    pendingUnk = false;
                }

                symbols.Add(id);
                continue;
            }

            if (_options.ByteFallback && TryAddBytes(s, symbols, utf8))
            {
                continue;
            }

            if (_options.UnkToken is not null)
            {
                if (_unkId < 0)
                {
                    throw new TokenizerFormatException($"The BPE unknown token '{_options.UnkToken}' is not in the vocabulary.");
                }

                if (pendingUnk && !_options.FuseUnk)
                {
                    symbols.Add(_unkId);
                }

                pendingUnk = true;
            }
        }

        if (pendingUnk)
        {
            symbols.Add(_unkId);
        }

        return symbols;
    }

    private bool TryAddBytes(ReadOnlySpan<char> s, List<int> symbols, Span<byte> buffer)
    {
        var bytes = Encoding.UTF8.GetByteCount(s) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(s, buffer)] : Encoding.UTF8.GetBytes(s.ToArray());
        foreach (var b in bytes)
        {
            if (_byteIds[b] < 0)
            {
                return false;
            }
        }

        foreach (var b in bytes)
        {
            symbols.Add(_byteIds[b]);
        }

        return true;
    }

    /// <summary>
    /// long's default hash XORs its halves, so every (a, b) pair with equal a ^ b collides; vocabulary ids are small,
    /// which made merge lookups crawl. Multiplicative hashing spreads them.
    /// </summary>
    private sealed class PairComparer : IEqualityComparer<long>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals(long x, long y) => x == y;

        public int GetHashCode(long obj) => (int)((ulong)obj * 0x9E3779B97F4A7C15UL >> 32);
    }
}
