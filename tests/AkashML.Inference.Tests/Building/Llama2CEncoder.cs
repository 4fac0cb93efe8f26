using System.Buffers.Binary;
using System.Text;

namespace AkashML.Inference.Tests.Building;

/// <summary>
/// llama2.c's encoder, re-implemented from its description: optional BOS, a dummy-prefix space for non-empty text,
/// one token per UTF-8 character (or byte tokens id = byte + 3 when the character is not in the vocabulary), then
/// repeatedly merge the adjacent pair whose concatenation is the vocabulary entry with the highest score (first such
/// pair on ties) until no pair merges.
/// </summary>
internal sealed class Llama2CEncoder
{
    private readonly byte[][] _tokens;
    private readonly float[] _scores;
    private readonly Dictionary<string, int> _lookup = new(StringComparer.Ordinal);

    public Llama2CEncoder(string tokenizerBin, int vocabularySize)
    {
        var data = File.ReadAllBytes(tokenizerBin);
        _tokens = new byte[vocabularySize][];
        _scores = new float[vocabularySize];
        var position = 4;
        for (var i = 0; i < vocabularySize; i++)
        {
            _scores[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(position));
            var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(position + 4));
            _tokens[i] = data.AsSpan(position + 8, length).ToArray();
            position += 8 + length;
            _lookup.TryAdd(Key(_tokens[i]), i);
        }
    }

    public string Decode(int id) => Encoding.UTF8.GetString(_tokens[id]);

    public List<int> Encode(string text, bool bos)
    {
        var tokens = new List<int>();
        if (bos)
        {
            tokens.Add(1);
        }

        if (text.Length > 0)
        {
            tokens.Add(_lookup[Key(" "u8.ToArray())]);
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < bytes.Length;)
        {
            var length = 1;
            while (i + length < bytes.Length && (bytes[i + length] & 0xC0) == 0x80 && length < 4)
            {
                length++;
            }

            var character = bytes.AsSpan(i, length).ToArray();
            if (_lookup.TryGetValue(Key(character), out var id))
            {
                tokens.Add(id);
            }
            else
            {
                foreach (var b in character)
                {
                    tokens.Add(b + 3);
                }
            }

            i += length;
        }

        var start = bos ? 1 : 0;
        while (true)
        {
            var bestScore = float.NegativeInfinity;
            var bestId = -1;
            var bestIndex = -1;
            for (var i = start; i < tokens.Count - 1; i++)
            {
                var merged = Key([.. _tokens[tokens[i]], .. _tokens[tokens[i + 1]]]);
                if (_lookup.TryGetValue(merged, out var id) && _scores[id] > bestScore)
                {
                    bestScore = _scores[id];
                    bestId = id;
                    bestIndex = i;
                }
            }

            if (bestIndex < 0)
            {
                return tokens;
            }

            tokens[bestIndex] = bestId;
            tokens.RemoveAt(bestIndex + 1);
        }
    }

    private static string Key(byte[] bytes) => Convert.ToHexString(bytes);
}
