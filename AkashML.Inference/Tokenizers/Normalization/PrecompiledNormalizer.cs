using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace AkashML.Inference.Tokenizers.Normalization;

/// <summary>
/// SentencePiece's compiled normalization rules (<c>precompiled_charsmap</c>): a darts-clone double-array trie over
/// UTF-8 keys whose values index NUL-terminated replacement strings.
/// </summary>
/// <remarks>
/// Like the reference, a grapheme cluster shorter than 6 UTF-8 bytes is looked up whole first; otherwise (or when
/// it has no rule) each code point is looked up on its own. The first (shortest) trie hit replaces the whole chunk.
/// </remarks>
internal sealed class PrecompiledNormalizer : INormalizer
{
    private readonly uint[] _trie;
    private readonly byte[] _normalized;

    public PrecompiledNormalizer(byte[] charsmap)
    {
        if (charsmap.Length < 4)
        {
            throw new TokenizerFormatException("precompiled_charsmap is too short.");
        }

        var trieSize = BinaryPrimitives.ReadUInt32LittleEndian(charsmap);
        if (trieSize % 4 != 0 || trieSize > charsmap.Length - 4 || trieSize == 0)
        {
            throw new TokenizerFormatException("precompiled_charsmap has an invalid trie size.");
        }

        _trie = new uint[trieSize / 4];
        for (var i = 0; i < _trie.Length; i++)
        {
            _trie[i] = BinaryPrimitives.ReadUInt32LittleEndian(charsmap.AsSpan(4 + (i * 4)));
        }

        _normalized = charsmap[(4 + (int)trieSize)..];
    }

    public string Normalize(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        Span<byte> buffer = stackalloc byte[64];
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext())
        {
            var grapheme = enumerator.GetTextElement();
            var byteCount = Encoding.UTF8.GetByteCount(grapheme);
            if (byteCount < 6)
            {
                var written = Encoding.UTF8.GetBytes(grapheme, buffer);
                if (TryTransform(buffer[..written], sb))
                {
                    continue;
                }
            }

            foreach (var rune in grapheme.EnumerateRunes())
            {
                var written = rune.EncodeToUtf8(buffer);
                if (!TryTransform(buffer[..written], sb))
                {
                    sb.Append(rune.ToString());
                }
            }
        }

        return sb.ToString();
    }

    private bool TryTransform(ReadOnlySpan<byte> key, StringBuilder output)
    {
        var value = FirstPrefixValue(key);
        if (value < 0 || value >= _normalized.Length)
        {
            return false;
        }

        var end = Array.IndexOf(_normalized, (byte)0, value);
        if (end < 0)
        {
            end = _normalized.Length;
        }

        output.Append(Encoding.UTF8.GetString(_normalized, value, end - value));
        return true;
    }

    /// <summary>darts-clone common-prefix search, returning only the first (shortest) hit, or -1.</summary>
    private int FirstPrefixValue(ReadOnlySpan<byte> key)
    {
        uint nodePos = 0;
        var unit = Unit(nodePos);
        nodePos ^= Offset(unit);
        foreach (var c in key)
        {
            if (c == 0)
            {
                break;
            }

            nodePos ^= c;
            unit = Unit(nodePos);
            if (Label(unit) != c)
            {
                return -1;
            }

            nodePos ^= Offset(unit);
            if (HasLeaf(unit))
            {
                return (int)(Unit(nodePos) & 0x7FFFFFFFu);
            }
        }

        return -1;
    }

    private uint Unit(uint position) => position < _trie.Length
        ? _trie[position]
        : throw new TokenizerFormatException("precompiled_charsmap trie is corrupt.");

    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;

    private static uint Label(uint unit) => unit & (0x80000000u | 0xFFu);

    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);
}
