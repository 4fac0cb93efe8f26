using System.Text;
using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tokenizers.Decoding;

/// <summary>Maps byte-alphabet characters back to bytes and decodes UTF-8 (invalid sequences become U+FFFD).</summary>
internal sealed class ByteLevelDecoder : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>(tokens.Count * 4);
        foreach (var token in tokens)
        {
            if (!ByteLevelAlphabet.TryDecode(token, bytes))
            {
                // A token outside the alphabet (e.g. an added token of plain spaces) stands for its own UTF-8 bytes.
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
            }
        }

        return [Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes))];
    }
}
