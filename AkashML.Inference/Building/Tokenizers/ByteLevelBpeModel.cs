using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Building.Tokenizers;

/// <summary>
/// A learned byte-level BPE: the tokens (256 byte characters, then one per merge, in id order) and the merges in
/// rank order. <see cref="Encode"/> applies the merges the way Hugging Face's BPE model does (lowest rank first).
/// </summary>
public sealed class ByteLevelBpeModel
{
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<(string, string), int> _ranks;

    public ByteLevelBpeModel(IReadOnlyList<string> tokens, IReadOnlyList<(string Left, string Right)> merges)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(merges);
        Tokens = tokens;
        Merges = merges;
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            _ids[tokens[i]] = i;
        }

        _ranks = [];
        for (var i = 0; i < merges.Count; i++)
        {
            _ranks.TryAdd(merges[i], i);
        }
    }

    public IReadOnlyList<string> Tokens { get; }

    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>Token ids of plain text (no special tokens).</summary>
    public List<int> Encode(string text)
    {
        var ids = new List<int>();
        var cache = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var chunk in Gpt2PreTokenizer.Split(text))
        {
            var encoded = ByteLevelAlphabet.Encode(chunk);
            if (!cache.TryGetValue(encoded, out var chunkIds))
            {
                chunkIds = EncodeChunk(encoded);
                cache[encoded] = chunkIds;
            }

            ids.AddRange(chunkIds);
        }

        return ids;
    }

    private int[] EncodeChunk(string chunk)
    {
        var symbols = chunk.Select(c => c.ToString()).ToList();
        while (symbols.Count > 1)
        {
            var bestRank = int.MaxValue;
            var bestIndex = -1;
            for (var i = 0; i < symbols.Count - 1; i++)
            {
                if (_ranks.TryGetValue((symbols[i], symbols[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    bestIndex = i;
                }
            }

            if (bestIndex < 0)
            {
                break;
            }

            symbols[bestIndex] += symbols[bestIndex + 1];
            symbols.RemoveAt(bestIndex + 1);
        }

        return symbols.Select(s => _ids[s]).ToArray();
    }
}
