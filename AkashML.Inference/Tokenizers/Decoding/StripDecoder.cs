namespace AkashML.Inference.Tokenizers.Decoding;

/// <summary>Removes up to <c>start</c> leading and <c>stop</c> trailing occurrences of a character from each token.</summary>
internal sealed class StripDecoder(char content, int start, int stop) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        foreach (var token in tokens)
        {
            var from = 0;
            while (from < start && from < token.Length && token[from] == content)
            {
                from++;
            }

            var to = token.Length;
            var stripped = 0;
            while (stripped < stop && to > from && token[to - 1] == content)
            {
                to--;
                stripped++;
            }

            result.Add(token[from..to]);
        }

        return result;
    }
}
