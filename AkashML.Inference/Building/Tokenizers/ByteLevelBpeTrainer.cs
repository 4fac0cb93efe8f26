using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Building.Tokenizers;

/// <summary>
/// Learns byte-level BPE merges from text (GPT-2 style): the text is pre-tokenized with the ByteLevel pattern, each
/// chunk starts as its bytes, and the most frequent adjacent pair is merged until the vocabulary is full or no pair
/// occurs at least <c>minimumFrequency</c> times. Ties go to the pair whose merged string sorts first (ordinal), so
/// training is deterministic.
/// </summary>
public static class ByteLevelBpeTrainer
{
    public static ByteLevelBpeModel Train(string text, int vocabularySize, int minimumFrequency = 2)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 256);
        var tokens = new List<string>(vocabularySize);
        for (var b = 0; b < 256; b++)
        {
            tokens.Add(ByteLevelAlphabet.Map((byte)b).ToString());
        }

        var charToId = new Dictionary<char, int>();
        for (var id = 0; id < 256; id++)
        {
            charToId[tokens[id][0]] = id;
        }

        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var chunk in Gpt2PreTokenizer.Split(text))
        {
            var encoded = ByteLevelAlphabet.Encode(chunk);
            wordCounts[encoded] = wordCounts.GetValueOrDefault(encoded) + 1;
        }

        var words = wordCounts.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => (Symbols: w.Key.Select(c => charToId[c]).ToList(), Count: w.Value)).ToList();
        var pairCounts = new Dictionary<(int, int), long>();
        var pairWords = new Dictionary<(int, int), HashSet<int>>();
        for (var w = 0; w < words.Count; w++)
        {
            AddPairs(words[w].Symbols, words[w].Count, w, pairCounts, pairWords);
        }

        var merges = new List<(int Left, int Right)>();
        while (tokens.Count < vocabularySize)
        {
            (int, int) best = default;
            long bestCount = 0;
            foreach (var (pair, count) in pairCounts)
            {
                if (count > bestCount || (count == bestCount && CompareMerged(tokens, pair, best) < 0))
                {
                    best = pair;
                    bestCount = count;
                }
            }

            if (bestCount < minimumFrequency)
            {
                break;
            }

            var bestText = tokens[best.Item1] + tokens[best.Item2];
            var newId = tokens.Count;
            tokens.Add(bestText);
            merges.Add(best);
            foreach (var w in pairWords[best].ToArray())
            {
                var (symbols, count) = words[w];
                RemovePairs(symbols, count, w, pairCounts, pairWords);
                for (var i = 0; i < symbols.Count - 1; i++)
                {
                    if (symbols[i] == best.Item1 && symbols[i + 1] == best.Item2)
                    {
                        symbols[i] = newId;
                        symbols.RemoveAt(i + 1);
                    }
                }

                AddPairs(symbols, count, w, pairCounts, pairWords);
            }
        }

        return new ByteLevelBpeModel(tokens, merges.Select(m => (tokens[m.Left], tokens[m.Right])).ToList());
    }

    /// <summary>Ordinal comparison of the two pairs' concatenations, without building them.</summary>
    private static int CompareMerged(List<string> tokens, (int, int) a, (int, int) b)
    {
        var (a1, a2, b1, b2) = (tokens[a.Item1], tokens[a.Item2], tokens[b.Item1], tokens[b.Item2]);
        var length = Math.Min(a1.Length + a2.Length, b1.Length + b2.Length);
        for (var i = 0; i < length; i++)
        {
            var ca = i < a1.Length ? a1[i] : a2[i - a1.Length];
            var cb = i < b1.Length ? b1[i] : b2[i - b1.Length];
            if (ca != cb)
            {
                return ca.CompareTo(cb);
            }
        }

        return (a1.Length + a2.Length).CompareTo(b1.Length + b2.Length);
    }

    private static void AddPairs(List<int> symbols, int count, int word, Dictionary<(int, int), long> pairCounts, Dictionary<(int, int), HashSet<int>> pairWords)
    {
        for (var i = 0; i < symbols.Count - 1; i++)
        {
            var pair = (symbols[i], symbols[i + 1]);
            pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + count;
            if (!pairWords.TryGetValue(pair, out var set))
            {
                set = [];
                pairWords[pair] = set;
            }

            set.Add(word);
        }
    }

    private static void RemovePairs(List<int> symbols, int count, int word, Dictionary<(int, int), long> pairCounts, Dictionary<(int, int), HashSet<int>> pairWords)
    {
        for (var i = 0; i < symbols.Count - 1; i++)
        {
            var pair = (symbols[i], symbols[i + 1]);
            var remaining = pairCounts[pair] - count;
            if (remaining == 0)
            {
                pairCounts.Remove(pair);
                pairWords.Remove(pair);
            }
            else
            {
                pairCounts[pair] = remaining;
                pairWords[pair].Remove(word);
            }
        }
    }
}
