using System.Text;
using AkashML.Inference.Tokenizers.PreTokenization;

namespace AkashML.Inference.Tokenizers.Decoding;

/// <summary>Turns the replacement character back into spaces; the first token loses its replacement characters.</summary>
internal sealed class MetaspaceDecoder(char replacement, PrependScheme prependScheme) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (i == 0 && prependScheme != PrependScheme.Never)
            {
                var sb = new StringBuilder(token.Length);
                foreach (var c in token)
                {
                    if (c != replacement)
                    {
                        sb.Append(c);
                    }
                }

                result.Add(sb.ToString());
            }
            else
            {
                result.Add(token.Replace(replacement, ' '));
            }
        }

        return result;
    }
}
