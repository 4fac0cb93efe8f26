using System.Text;
using System.Text.Json;

namespace AkashML.Inference.Tests.Building;

/// <summary>
/// Hugging Face BPE semantics for the SentencePiece-style tokenizer.json the builder writes (Prepend "▁" and
/// Replace " " → "▁" normalizers, no pre-tokenizer, byte fallback, BOS template): characters start as symbols,
/// then the adjacent pair with the lowest merge rank is merged (leftmost on ties) until none is listed.
/// </summary>
internal sealed class HuggingFaceBpeReference
{
    private readonly Dictionary<string, int> _vocab = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), int> _ranks = [];
    private readonly int _bos;

    public HuggingFaceBpeReference(byte[] tokenizerJson)
    {
        using var document = JsonDocument.Parse(tokenizerJson);
        var root = document.RootElement;
        var model = root.GetProperty("model");
        Assert.Equal("BPE", model.GetProperty("type").GetString());
        Assert.True(model.GetProperty("byte_fallback").GetBoolean());
        foreach (var entry in model.GetProperty("vocab").EnumerateObject())
        {
            _vocab[entry.Name] = entry.Value.GetInt32();
        }

        var rank = 0;
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            var parts = merge.GetString()!.Split(' ');
            Assert.Equal(2, parts.Length);
            _ranks.TryAdd((parts[0], parts[1]), rank++);
        }

        var normalizers = root.GetProperty("normalizer").GetProperty("normalizers");
        Assert.Equal("Prepend", normalizers[0].GetProperty("type").GetString());
        Assert.Equal("Replace", normalizers[1].GetProperty("type").GetString());
        var special = root.GetProperty("post_processor").GetProperty("special_tokens").EnumerateObject().Single();
        _bos = special.Value.GetProperty("ids")[0].GetInt32();
    }

    public List<int> Encode(string text, bool addSpecialTokens)
    {
        var ids = new List<int>();
        if (addSpecialTokens)
        {
            ids.Add(_bos);
        }

        if (text.Length == 0)
        {
            return ids;
        }

        var normalized = "\u2581" + text.Replace(' ', '\u2581');
        var symbols = new List<string>();
        for (var i = 0; i < normalized.Length; i += char.IsSurrogatePair(normalized, i) ? 2 : 1)
        {
            symbols.Add(char.IsSurrogatePair(normalized, i) ? normalized.Substring(i, 2) : normalized[i].ToString());
        }

        while (true)
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

        foreach (var symbol in symbols)
        {
            if (_vocab.TryGetValue(symbol, out var id))
            {
                ids.Add(id);
            }
            else
            {
                foreach (var b in Encoding.UTF8.GetBytes(symbol))
                {
                    ids.Add(_vocab[$"<0x{b:X2}>"]);
                }
            }
        }

        return ids;
    }
}
