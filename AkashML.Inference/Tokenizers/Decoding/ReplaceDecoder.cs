using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tokenizers.Decoding;

/// <summary>Replaces a string or regex in every token.</summary>
internal sealed class ReplaceDecoder(TokenizerRegex pattern, string content) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        foreach (var token in tokens)
        {
            result.Add(pattern.Replace(token, content));
        }

        return result;
    }
}
